/**
 * The finished scan result that every report format renders, and the filters applied before
 * rendering.
 *
 * @module
 */

import type { CoverageGap } from '../matcher/match.js';
import type {
  Finding,
  ImageConfig,
  ImagePackage,
  LayerDescriptor,
  OSInfo,
  Platform,
  Severity,
  Unknown,
} from '../types.js';

export interface ScanResult {
  readonly artifactName: string;
  readonly artifactType: 'container_image';
  readonly createdAt: Date;
  readonly image: {
    readonly format: string;
    readonly imageID: string;
    readonly manifestDigest?: string;
    readonly repoTags: readonly string[];
    readonly repoDigests: readonly string[];
    readonly config: ImageConfig;
    readonly layers: readonly LayerDescriptor[];
    readonly platform?: Platform;
  };
  readonly os?: OSInfo;
  readonly packages: readonly ImagePackage[];
  /** Sorted by package name, version, then vulnerability ID. */
  readonly findings: readonly Finding[];
  readonly gaps: readonly CoverageGap[];
  readonly unknowns: readonly (Unknown & { readonly layer: LayerDescriptor })[];
}

export interface ReportFilter {
  /** Severities to keep; all when undefined. */
  readonly severities?: readonly Severity[];
  /** Drops findings without a fixed version. */
  readonly ignoreUnfixed?: boolean;
}

/** Returns the findings that pass the filter, in their original order. */
export function filterFindings(findings: readonly Finding[], filter: ReportFilter): Finding[] {
  return findings.filter((finding) => {
    if (filter.severities !== undefined && !filter.severities.includes(finding.severity)) return false;
    if (filter.ignoreUnfixed === true && finding.advisory.fixedVersion === undefined) return false;
    return true;
  });
}

/** Returns the report target of the OS packages, e.g. `alpine.tar (alpine 3.10.4)`, as Trivy names it. */
export function osTarget(result: Pick<ScanResult, 'artifactName' | 'os'>): string {
  return result.os === undefined ? result.artifactName : `${result.artifactName} (${result.os.family} ${result.os.name})`;
}
