/**
 * Matches the packages of an image view against the advisories of its OS release.
 *
 * @module
 */

import type { ImageView } from '../applier/apply.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { Advisory, Finding, ImagePackage, Severity, VulnerabilityDetail } from '../types.js';
import { alpine } from './distro/alpine.js';
import { debian } from './distro/debian.js';
import type { DistroMatcher } from './distro/distro.js';
import { isValidApkVersion } from './version/apk.js';
import { compareVersions } from './version/index.js';

/** The queries the matcher runs against the vulnerability database. */
export interface AdvisorySource {
  advisoriesFor(namespace: string, packageNames: readonly string[]): Advisory[];
  details(ids: readonly string[]): Map<string, VulnerabilityDetail>;
  /** Returns how many advisories the database holds for a namespace; 0 means it cannot judge that release. */
  countAdvisories(namespace: string): number;
}

/** Something the scan could not check; reports list these so a clean result is not misread. */
export interface CoverageGap {
  readonly kind: 'os-unknown' | 'os-unsupported' | 'no-advisories' | 'version-invalid';
  readonly message: string;
}

export interface MatchResult {
  readonly findings: readonly Finding[];
  readonly gaps: readonly CoverageGap[];
}

const DISTROS: readonly DistroMatcher[] = [alpine, debian];

/** Returns the findings for every OS package of the image, sorted by package then vulnerability ID. */
export function matchImage(view: ImageView, source: AdvisorySource, logger: Logger = silentLogger): MatchResult {
  const gaps: CoverageGap[] = [];
  const os = view.os;
  if (os === undefined) {
    const message =
      view.packages.length > 0
        ? `no OS release file found, so ${view.packages.length} OS packages were not matched`
        : 'no OS release file and no package database found, so nothing installed could be identified or matched';
    gaps.push({ kind: 'os-unknown', message });
    return { findings: [], gaps };
  }

  const distro = DISTROS.find((candidate) => candidate.family === os.family);
  const namespace = distro?.namespace(os);
  if (distro === undefined || namespace === undefined) {
    gaps.push({ kind: 'os-unsupported', message: `${os.family} ${os.name} is not supported yet, so its OS packages were not matched` });
    return { findings: [], gaps };
  }

  if (source.countAdvisories(namespace) === 0) {
    gaps.push({
      kind: 'no-advisories',
      message: `the database has no advisories for ${namespace}; build it with ${distro.feedHint}`,
    });
  }

  const packages = view.packages.filter((pkg) => distro.packageTypes.includes(pkg.type));
  const foreign = view.packages.length - packages.length;
  if (foreign > 0) {
    const types = [...new Set(view.packages.filter((pkg) => !distro.packageTypes.includes(pkg.type)).map((pkg) => pkg.type))].join(', ');
    gaps.push({ kind: 'os-unsupported', message: `${foreign} ${types} packages do not belong to ${os.family} ${os.name}, so they were not matched` });
  }
  const names = [...new Set(packages.map((pkg) => distro.advisoryName(pkg)))];
  const advisoriesByName = groupBy(source.advisoriesFor(namespace, names), (advisory) => advisory.packageName);
  logger.debug('advisories loaded', { namespace, packages: packages.length, names: names.length, advisories: countValues(advisoriesByName) });

  const matched: { pkg: ImagePackage; advisory: Advisory }[] = [];
  for (const pkg of packages) {
    for (const advisory of advisoriesByName.get(distro.advisoryName(pkg)) ?? []) {
      const verdict = judge(distro, pkg, advisory, gaps);
      logger.debug('advisory checked', {
        package: pkg.name,
        installed: distro.installedVersion(pkg),
        vulnerability: advisory.vulnerabilityID,
        fixed: advisory.fixedVersion,
        status: advisory.status,
        affected: verdict,
      });
      if (verdict) matched.push({ pkg, advisory });
    }
  }

  const details = source.details([...new Set(matched.map(({ advisory }) => advisory.vulnerabilityID))]);
  const findings = matched.map(({ pkg, advisory }) => {
    const detail = details.get(advisory.vulnerabilityID);
    return { package: pkg, advisory, ...(detail === undefined ? {} : { detail }), severity: chooseSeverity(advisory, detail) };
  });

  // The same invalid version can appear in many advisories; each gap is reported once.
  return { findings: sortFindings(dedupeFindings(findings)), gaps: [...new Map(gaps.map((gap) => [gap.message, gap])).values()] };
}

/** Returns true when the installed version is affected by the advisory. */
function judge(distro: DistroMatcher, pkg: ImagePackage, advisory: Advisory, gaps: CoverageGap[]): boolean {
  // Open advisories have no fixed version: every installed version is affected.
  if (advisory.fixedVersion === undefined) return advisory.status !== 'fixed';

  const installed = distro.installedVersion(pkg);
  // apk orders even invalid versions, so the comparison goes ahead, but the result may be wrong.
  if (distro.scheme === 'apk') {
    for (const version of [installed, advisory.fixedVersion]) {
      if (isValidApkVersion(version)) continue;
      gaps.push({
        kind: 'version-invalid',
        message: `${version} is not a valid apk version, so comparing ${pkg.name} ${installed} with fixed version ${advisory.fixedVersion} of ${advisory.vulnerabilityID} may be wrong`,
      });
    }
  }
  try {
    return compareVersions(distro.scheme, installed, advisory.fixedVersion) < 0;
  } catch (error) {
    gaps.push({
      kind: 'version-invalid',
      message: `cannot compare ${pkg.name} ${installed} with fixed version ${advisory.fixedVersion} of ${advisory.vulnerabilityID}: ${String(error)}`,
    });
    return false;
  }
}

/**
 * Prefers the distribution's own severity, as Trivy does, because it rates the package as that
 * distribution builds it; falls back to the details' (NVD) severity.
 */
function chooseSeverity(advisory: Advisory, detail: VulnerabilityDetail | undefined): Severity {
  if (advisory.vendorSeverity !== undefined && advisory.vendorSeverity !== 'UNKNOWN') return advisory.vendorSeverity;
  return detail?.severity ?? 'UNKNOWN';
}

/** Keeps the first finding for each package and vulnerability ID. */
function dedupeFindings(findings: Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const finding of findings) {
    const key = [finding.package.type, finding.package.name, finding.package.version, finding.package.arch ?? '', finding.advisory.vulnerabilityID].join('\0');
    if (!seen.has(key)) seen.set(key, finding);
  }
  return [...seen.values()];
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      compareText(a.package.name, b.package.name) ||
      compareText(a.package.version, b.package.version) ||
      compareText(a.advisory.vulnerabilityID, b.advisory.vulnerabilityID),
  );
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [item]);
    else group.push(item);
  }
  return groups;
}

function countValues<T>(groups: Map<string, T[]>): number {
  let count = 0;
  for (const group of groups.values()) count += group.length;
  return count;
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

