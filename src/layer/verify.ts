/**
 * Byte counting and hashing of the blob and of the uncompressed tar, and the comparison with the
 * digests, diffID and size that the image declares.
 *
 * @module
 */

import { createHash, type Hash } from 'node:crypto';

import { DigestMismatchError, type LayerRef } from '../errors.js';
import { LayerReadError } from './failure.js';

/** Digest algorithms that the OCI image spec registers. */
const ALGORITHMS = new Set(['sha256', 'sha512']);

/** Returns the algorithm of an `algorithm:hex` digest, e.g. `sha256`. */
export function digestAlgorithm(digest: string, field: string): string {
  const algorithm = digest.slice(0, Math.max(0, digest.indexOf(':')));
  if (!ALGORITHMS.has(algorithm)) {
    throw new LayerReadError(`unsupported ${field} ${JSON.stringify(digest)}: expected sha256:<hex> or sha512:<hex>`);
  }
  return algorithm;
}

/** Hashes and counts the bytes that pass through it. */
export class DigestCounter {
  readonly algorithm: string;
  #hash: Hash;
  #bytes = 0;

  constructor(algorithm: string) {
    this.algorithm = algorithm;
    this.#hash = createHash(algorithm);
  }

  get bytes(): number {
    return this.#bytes;
  }

  update(chunk: Buffer): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
  }

  /** Returns `algorithm:hex` of everything counted; call it once, after the last chunk. */
  digest(): string {
    return `${this.algorithm}:${this.#hash.digest('hex')}`;
  }
}

export interface ByteLimit {
  readonly max: number;
  /** Builds the error thrown as soon as more than `max` bytes arrive. */
  readonly exceeded: (max: number) => Error;
}

/** Passes `source` through unchanged and feeds every chunk to `counter`. */
export async function* countBytes(source: AsyncIterable<Buffer>, counter: DigestCounter, limit?: ByteLimit): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    counter.update(chunk);
    if (limit !== undefined && counter.bytes > limit.max) throw limit.exceeded(limit.max);
    yield chunk;
  }
}

export interface ObservedDigests {
  readonly blobDigest: string;
  readonly blobBytes: number;
  readonly diffID: string;
}

/**
 * Throws DigestMismatchError when the blob digest, blob size or diffID differs from what the image
 * declares. The digest is checked before the size because it is the stronger evidence.
 */
export function verifyDigests(layer: LayerRef & { readonly size?: number }, observed: ObservedDigests): void {
  if (layer.digest !== undefined && layer.digest.toLowerCase() !== observed.blobDigest) {
    throw new DigestMismatchError(layer, 'digest', layer.digest, observed.blobDigest);
  }
  if (layer.size !== undefined && layer.size !== observed.blobBytes) {
    throw new DigestMismatchError(layer, 'size', `${layer.size} bytes`, `${observed.blobBytes} bytes`);
  }
  if (layer.diffID.toLowerCase() !== observed.diffID) {
    throw new DigestMismatchError(layer, 'diffID', layer.diffID, observed.diffID);
  }
}
