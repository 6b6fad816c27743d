/**
 * Hashing of a layer blob without decompressing it, which is how a cached layer is checked
 * against the blob at hand at a fraction of the cost of reading it again.
 *
 * @module
 */

import type { Readable } from 'node:stream';

import { DigestMismatchError, LayerError, StrataError, errorMessage } from '../errors.js';
import type { LayerDescriptor } from '../types.js';
import { LayerReadError } from './failure.js';
import { DigestCounter, digestAlgorithm } from './verify.js';

/**
 * Returns the digest of the blob bytes, in the algorithm of `layer.digest` (sha256 when the layer
 * has none). Throws DigestMismatchError when the layer declares a digest or size the blob does not
 * match.
 */
export async function digestBlob(layer: LayerDescriptor, open: () => Promise<Readable>): Promise<string> {
  let counter: DigestCounter;
  try {
    counter = new DigestCounter(layer.digest === undefined ? 'sha256' : digestAlgorithm(layer.digest, 'layer digest'));
    for await (const chunk of await open()) counter.update(chunk as Buffer);
  } catch (error) {
    if (error instanceof StrataError) throw error;
    const reason = error instanceof LayerReadError ? error.reason : `reading the blob failed: ${errorMessage(error)}`;
    throw new LayerError(reason, layer, { cause: error });
  }

  const digest = counter.digest();
  if (layer.size !== undefined && counter.bytes !== layer.size) {
    throw new DigestMismatchError(layer, 'size', `${layer.size} bytes`, `${counter.bytes} bytes`);
  }
  if (layer.digest !== undefined && digest !== layer.digest) throw new DigestMismatchError(layer, 'digest', layer.digest, digest);
  return digest;
}
