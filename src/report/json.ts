/**
 * JSON report with the field names of Trivy's JSON report (SchemaVersion 2), so tools that read
 * Trivy's output read Strata's. Strata-only facts sit under the extra `Strata` key, which such
 * tools ignore.
 *
 * @module
 */

import type { Finding, ImagePackage, LayerDescriptor } from '../types.js';
import { osTarget, type ScanResult } from './result.js';

/** Feed names as the report's `DataSource` shows them. */
const DATA_SOURCES: Readonly<Record<string, { ID: string; Name: string; URL: string }>> = {
  'alpine-secdb': { ID: 'alpine', Name: 'Alpine Secdb', URL: 'https://secdb.alpinelinux.org/' },
  'debian-tracker': { ID: 'debian', Name: 'Debian Security Tracker', URL: 'https://salsa.debian.org/security-tracker-team/security-tracker' },
};

/** Returns the report as a JSON-serialisable object; `findings` are the filtered ones. */
export function buildJSONReport(result: ScanResult, findings: readonly Finding[], options: { listAllPackages: boolean }): Record<string, unknown> {
  const osResult: Record<string, unknown> = {
    Target: osTarget(result),
    Class: 'os-pkgs',
    Type: result.os?.family ?? 'unknown',
  };
  if (options.listAllPackages) osResult.Packages = result.packages.map(packageEntry);
  if (findings.length > 0) osResult.Vulnerabilities = findings.map(vulnerabilityEntry);

  const { image } = result;
  return {
    SchemaVersion: 2,
    CreatedAt: result.createdAt.toISOString(),
    ArtifactName: result.artifactName,
    ArtifactType: result.artifactType,
    Metadata: {
      ...(result.os === undefined ? {} : { OS: { Family: result.os.family, Name: result.os.name } }),
      ImageID: image.imageID,
      DiffIDs: image.layers.map((layer) => layer.diffID),
      RepoTags: image.repoTags,
      RepoDigests: image.repoDigests,
      ImageConfig: image.config,
      Layers: image.layers.map((layer) => ({
        ...(layer.size === undefined ? {} : { Size: layer.size }),
        ...(layer.digest === undefined ? {} : { Digest: layer.digest }),
        DiffID: layer.diffID,
        ...(layer.createdBy === undefined ? {} : { CreatedBy: layer.createdBy }),
      })),
    },
    Results: result.os === undefined && result.packages.length === 0 ? [] : [osResult],
    Strata: {
      Gaps: result.gaps.map((gap) => ({ Kind: gap.kind, Message: gap.message })),
      Unknowns: result.unknowns.map((unknown) => ({ Path: unknown.path, Reason: unknown.reason, Layer: layerReference(unknown.layer) })),
    },
  };
}

function packageEntry(pkg: ImagePackage): Record<string, unknown> {
  return {
    ID: `${pkg.name}@${pkg.version}`,
    Name: pkg.name,
    Identifier: { PURL: pkg.purl },
    Version: pkg.version,
    SrcName: pkg.srcName,
    SrcVersion: pkg.srcVersion,
    ...(pkg.arch === undefined ? {} : { Arch: pkg.arch }),
    ...(pkg.licenses === undefined || pkg.licenses.length === 0 ? {} : { Licenses: pkg.licenses }),
    Layer: layerReference(pkg.layer),
  };
}

function vulnerabilityEntry(finding: Finding): Record<string, unknown> {
  const { package: pkg, advisory, detail } = finding;
  const id = advisory.vulnerabilityID;
  const vendorRated = advisory.vendorSeverity !== undefined && advisory.vendorSeverity !== 'UNKNOWN';
  const dataSource = DATA_SOURCES[advisory.source] ?? { ID: advisory.source, Name: advisory.source, URL: '' };

  return {
    VulnerabilityID: id,
    PkgID: `${pkg.name}@${pkg.version}`,
    PkgName: pkg.name,
    PkgIdentifier: { PURL: pkg.purl },
    InstalledVersion: pkg.version,
    ...(advisory.fixedVersion === undefined ? {} : { FixedVersion: advisory.fixedVersion }),
    Status: advisory.status,
    Layer: layerReference(pkg.layer),
    SeveritySource: vendorRated ? dataSource.ID : (detail?.source ?? ''),
    ...primaryURL(id, advisory.source),
    DataSource: dataSource,
    ...(detail?.title === undefined ? {} : { Title: detail.title }),
    ...(detail?.description === undefined ? {} : { Description: detail.description }),
    Severity: finding.severity,
    ...(vendorRated ? { VendorSeverity: { [dataSource.ID]: advisory.vendorSeverity } } : {}),
    ...(detail === undefined || Object.keys(detail.cvss).length === 0 ? {} : { CVSS: detail.cvss }),
    ...(detail === undefined || detail.references.length === 0 ? {} : { References: detail.references }),
    ...(detail?.publishedDate === undefined ? {} : { PublishedDate: detail.publishedDate }),
    ...(detail?.lastModifiedDate === undefined ? {} : { LastModifiedDate: detail.lastModifiedDate }),
  };
}

function layerReference(layer: LayerDescriptor): Record<string, string> {
  return { ...(layer.digest === undefined ? {} : { Digest: layer.digest }), DiffID: layer.diffID };
}

/** Returns the public page of a vulnerability ID: NVD for CVEs, the Debian tracker for its own IDs. */
function primaryURL(id: string, source: string): { PrimaryURL?: string } {
  if (id.startsWith('CVE-')) return { PrimaryURL: `https://nvd.nist.gov/vuln/detail/${id}` };
  if (source === 'debian-tracker') return { PrimaryURL: `https://security-tracker.debian.org/tracker/${encodeURIComponent(id)}` };
  return {};
}
