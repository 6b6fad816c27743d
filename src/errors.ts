/**
 * Typed errors. Each class carries a stable `code` and the values that failed, so callers branch
 * with `instanceof` or `code` and the CLI prints `message` as one line.
 *
 * @module
 */

export type StrataErrorCode =
  | 'INVALID_ARGUMENT'
  | 'IMAGE_INVALID'
  | 'IMAGE_NOT_FOUND'
  | 'PLATFORM_NOT_FOUND'
  | 'LAYER_INVALID'
  | 'DIGEST_MISMATCH'
  | 'FEED_INVALID'
  | 'DB_MISSING'
  | 'DB_INVALID'
  | 'CACHE_UNAVAILABLE';

export class StrataError extends Error {
  readonly code: StrataErrorCode;

  constructor(code: StrataErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An image archive, layout, manifest, index or config that cannot be read as an image. */
export class ImageError extends StrataError {
  readonly path: string;

  constructor(message: string, path: string, options?: { cause?: unknown; code?: StrataErrorCode }) {
    super(options?.code ?? 'IMAGE_INVALID', message, options);
    this.path = path;
  }
}

/** A platform was requested that the image index does not contain. */
export class PlatformNotFoundError extends StrataError {
  readonly requested: string;
  readonly available: readonly string[];

  constructor(requested: string, available: readonly string[]) {
    const list = available.length > 0 ? available.join(', ') : 'none';
    super(
      'PLATFORM_NOT_FOUND',
      `the image has no ${requested} variant; platforms present: ${list}. Pass one of them with --platform`,
    );
    this.requested = requested;
    this.available = available;
  }
}

/** Position of a layer in the manifest, with its digests, for error messages and logs. */
export interface LayerRef {
  /** Zero-based position in the manifest's `layers`. */
  readonly index: number;
  /** Digest of the blob as stored (usually compressed); absent in classic `docker save` archives. */
  readonly digest?: string;
  /** Expected sha256 of the uncompressed tar, from the config's `rootfs.diff_ids`. */
  readonly diffID: string;
}

export function describeLayer(layer: LayerRef): string {
  const digest = layer.digest === undefined ? '' : `digest ${layer.digest}, `;
  return `layer ${layer.index} (${digest}diffID ${layer.diffID})`;
}

/** A layer blob that is missing, truncated, corrupt or not a tar. */
export class LayerError extends StrataError {
  readonly layer: LayerRef;

  constructor(message: string, layer: LayerRef, options?: { cause?: unknown; code?: StrataErrorCode }) {
    super(options?.code ?? 'LAYER_INVALID', `${describeLayer(layer)}: ${message}`, options);
    this.layer = layer;
  }
}

/** A layer blob whose bytes do not hash to the digest or diffID that the image declares. */
export class DigestMismatchError extends LayerError {
  readonly kind: 'digest' | 'diffID' | 'size';
  readonly expected: string;
  readonly actual: string;

  constructor(layer: LayerRef, kind: 'digest' | 'diffID' | 'size', expected: string, actual: string) {
    const labels = { digest: 'blob digest', diffID: 'uncompressed diffID', size: 'blob size' } as const;
    super(`${labels[kind]} mismatch: expected ${expected}, got ${actual}; the image is corrupt or was modified, so pull or save it again`, layer, {
      code: 'DIGEST_MISMATCH',
    });
    this.kind = kind;
    this.expected = expected;
    this.actual = actual;
  }
}

/** An upstream feed file that cannot be parsed. */
export class FeedError extends StrataError {
  readonly feed: string;
  readonly path: string;

  constructor(feed: string, path: string, message: string, options?: { cause?: unknown }) {
    super('FEED_INVALID', `${feed} feed ${path}: ${message}`, options);
    this.feed = feed;
    this.path = path;
  }
}

/** The vulnerability database is missing or unusable. */
export class DatabaseError extends StrataError {
  readonly path: string;

  constructor(code: 'DB_MISSING' | 'DB_INVALID', message: string, path: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}

/** A cache backend that cannot be reached or used, e.g. a Redis server that is down. */
export class CacheError extends StrataError {
  readonly backend: string;

  constructor(backend: string, message: string, options?: { cause?: unknown }) {
    super('CACHE_UNAVAILABLE', message, options);
    this.backend = backend;
  }
}

/** Returns the message of any thrown value, for logs. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
