/**
 * Content digests (`sha256:<hex>`, `sha512:<hex>`) of manifests, indexes and configs, and their
 * verification against the bytes read.
 *
 * @module
 */

import { createHash } from 'node:crypto';

import { ImageError } from '../errors.js';

export interface Digest {
  readonly algorithm: 'sha256' | 'sha512';
  /** Lower-case hex of the hash. */
  readonly hex: string;
  /** The digest as written: `algorithm:hex`. */
  readonly text: string;
}

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** Returns the parsed digest, or undefined unless it is a sha256 or sha512 digest in canonical form. */
export function parseDigest(text: unknown): Digest | undefined {
  if (typeof text !== 'string' || !DIGEST.test(text)) return undefined;
  const [algorithm, hex] = text.split(':') as ['sha256' | 'sha512', string];
  return { algorithm, hex, text };
}

/** Returns the path of a blob inside an OCI layout, e.g. `blobs/sha256/e86f…`. */
export function blobPath(digest: Digest): string {
  return `blobs/${digest.algorithm}/${digest.hex}`;
}

/** Returns `sha256:<hex>` of the bytes. */
export function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Checks that `bytes` hash to `digest` and, when given, have `size` bytes. Throws a
 * DIGEST_MISMATCH ImageError naming `label` (e.g. `manifest sha256:…`) otherwise.
 */
export function verifyBlob(bytes: Uint8Array, digest: Digest, size: number | undefined, label: string, path: string): void {
  if (size !== undefined && bytes.length !== size) {
    throw new ImageError(
      `${path}: ${label} is ${bytes.length} bytes but its descriptor declares ${size}; the image is corrupt or was modified, so save or pull it again`,
      path,
      { code: 'DIGEST_MISMATCH' },
    );
  }

  const actual = createHash(digest.algorithm).update(bytes).digest('hex');
  if (actual !== digest.hex) {
    throw new ImageError(
      `${path}: ${label} does not match its digest: got ${digest.algorithm}:${actual}; the image is corrupt or was modified, so save or pull it again`,
      path,
      { code: 'DIGEST_MISMATCH' },
    );
  }
}
