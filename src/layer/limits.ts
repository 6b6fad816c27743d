/**
 * Resource limits of the layer reader, which guard against decompression bombs and against
 * layers that would make the analyzers buffer huge files.
 *
 * @module
 */

import { StrataError } from '../errors.js';

export interface LayerLimits {
  /** Maximum bytes buffered for one analyzer input; a larger wanted file is skipped as an unknown. */
  readonly maxFileSize: number;
  /** Maximum tar entries in one layer, directories and whiteouts included. */
  readonly maxEntries: number;
  /** Maximum uncompressed bytes of one layer. */
  readonly maxLayerSize: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * The largest package databases seen in real images are a few MiB, and large distribution layers
 * hold a few hundred thousand entries, so these defaults stop only pathological input.
 */
export const defaultLayerLimits: LayerLimits = {
  maxFileSize: 128 * MiB,
  maxEntries: 1_000_000,
  maxLayerSize: 64 * GiB,
};

/** Fills in the defaults and rejects limits that are not positive integers. */
export function resolveLimits(overrides: Partial<LayerLimits> = {}): LayerLimits {
  const limits = { ...defaultLayerLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new StrataError('INVALID_ARGUMENT', `layer limit ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return limits;
}
