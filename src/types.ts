/**
 * Domain types shared by the pipeline stages: image source → layer reader → analyzers → applier →
 * matcher → reports.
 *
 * @module
 */

/** OS platform of an image, as OCI image indexes and configs spell it. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** One entry of the image config's `history`. */
export interface HistoryEntry {
  readonly created?: string;
  readonly created_by?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

/** The parts of an OCI/Docker image config that the scanner reads or reports. */
export interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  readonly created?: string;
  readonly config?: Record<string, unknown>;
  readonly rootfs: { readonly type: string; readonly diff_ids: readonly string[] };
  readonly history?: readonly HistoryEntry[];
}

/** A layer as the manifest and config describe it, before its blob is read. */
export interface LayerDescriptor {
  /** Zero-based position in the manifest's `layers`. */
  readonly index: number;
  /**
   * Digest of the blob as stored, e.g. `sha256:e86f…` of the gzip bytes. Classic `docker save`
   * archives name layers by path, not digest, so there it is undefined.
   */
  readonly digest?: string;
  /** sha256 of the uncompressed tar, from `rootfs.diff_ids`. */
  readonly diffID: string;
  /** Blob size in bytes as the manifest declares it; undefined where the format has none. */
  readonly size?: number;
  readonly mediaType?: string;
  /** Path of the blob inside the archive or layout, e.g. `blobs/sha256/e86f…`, for messages. */
  readonly blobPath?: string;
  /** The `created_by` of the history entry that made this layer, e.g. `RUN apt-get install curl`. */
  readonly createdBy?: string;
}

/** OS facts read from one layer or from the merged image. */
export interface OSInfo {
  /** Trivy's family name: `alpine`, `debian`, `ubuntu`, ... */
  readonly family: string;
  /** Release as the distribution numbers it, e.g. `3.10.4` or `12`. */
  readonly name: string;
  /** Debian and Ubuntu codename where known, e.g. `bookworm`. */
  readonly codename?: string;
  readonly prettyName?: string;
}

/** An installed OS package as its package database records it. */
export interface Package {
  readonly name: string;
  readonly version: string;
  readonly arch?: string;
  /** Source package (dpkg `Source:`) or origin (apk `o:`); equals `name` when the database names none. */
  readonly srcName: string;
  readonly srcVersion: string;
  readonly licenses?: readonly string[];
  readonly maintainer?: string;
}

/** A package database file one analyzer found in one layer, with what it parsed from it. */
export interface PackageDatabase {
  /** Analyzer type, e.g. `dpkg` or `apk`. */
  readonly type: string;
  /** Path inside the image, without a leading slash, e.g. `var/lib/dpkg/status`. */
  readonly path: string;
  readonly packages: readonly Package[];
}

/** A malformed entry an analyzer skipped; it is logged and reported, never fatal. */
export interface Unknown {
  readonly path: string;
  readonly reason: string;
}

/**
 * The analyzers' findings in one layer. It contains no vulnerabilities, so it can be cached by the
 * layer's diffID and the analyzer versions and matched against any later database.
 */
export interface LayerAnalysis {
  readonly diffID: string;
  /** OS release files found in this layer, by path (`etc/os-release`, `etc/alpine-release`, ...). */
  readonly osFiles: Readonly<Record<string, string>>;
  readonly packageDatabases: readonly PackageDatabase[];
  /**
   * Paths this layer hides in lower layers: `.wh.NAME` entries without the `.wh.` prefix, and
   * symlinks at paths an analyzer reads, which replace the lower file.
   */
  readonly whiteouts: readonly string[];
  /** Directories whose lower-layer content this layer hides (`.wh..wh..opq`). */
  readonly opaqueDirs: readonly string[];
  readonly unknowns: readonly Unknown[];
  /** Analyzer type → version, of every analyzer that read at least one file of this layer. */
  readonly analyzers: Readonly<Record<string, number>>;
}

/** A package in the merged image, with the layer that brought it. */
export interface ImagePackage extends Package {
  /** Package database type, e.g. `dpkg`. */
  readonly type: string;
  readonly layer: LayerDescriptor;
  /** Package URL, e.g. `pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12`. */
  readonly purl: string;
}

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN';

export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

/** Statuses of Trivy's report, which Strata's JSON reuses. */
export type VulnerabilityStatus = 'fixed' | 'affected' | 'will_not_fix' | 'fix_deferred' | 'end_of_life';

/** One CVSS entry of a source, as Trivy's JSON reports it. */
export interface CvssScore {
  readonly V2Vector?: string;
  readonly V2Score?: number;
  readonly V3Vector?: string;
  readonly V3Score?: number;
  readonly V40Vector?: string;
  readonly V40Score?: number;
}

/** Details the database stores for a vulnerability ID, independent of any package. */
export interface VulnerabilityDetail {
  readonly id: string;
  readonly title?: string;
  readonly description?: string;
  readonly severity?: Severity;
  /** Source name (`nvd`) → scores. */
  readonly cvss: Readonly<Record<string, CvssScore>>;
  readonly references: readonly string[];
  readonly publishedDate?: string;
  readonly lastModifiedDate?: string;
  /** Feed that provided these details, e.g. `nvd`. */
  readonly source?: string;
}

/** An advisory row: a package in a distro release is affected by a vulnerability. */
export interface Advisory {
  readonly vulnerabilityID: string;
  /** Feed name, e.g. `alpine-secdb`. */
  readonly source: string;
  /** Distro release the advisory applies to, e.g. `alpine:3.10` or `debian:bookworm`. */
  readonly namespace: string;
  /** Source package or origin name the advisory names. */
  readonly packageName: string;
  /** Version that fixes it; undefined while no fix exists. */
  readonly fixedVersion?: string;
  readonly status: VulnerabilityStatus;
  /** Severity the distro assigns, where it assigns one. */
  readonly vendorSeverity?: Severity;
}

/** A vulnerability found in an image package. */
export interface Finding {
  readonly package: ImagePackage;
  readonly advisory: Advisory;
  readonly detail?: VulnerabilityDetail;
  readonly severity: Severity;
}
