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
  /**
   * Maximum bytes of analyzer input kept in one layer to resolve later hard links. Files read
   * after the limit is reached are not kept, and hard links to them become unknowns.
   */
  readonly maxLinkTargetBytes: number;
  /** Maximum hard links in one layer that are handed to analyzers; later ones become one unknown. */
  readonly maxHardLinks: number;
  /**
   * Maximum bytes of whiteout paths, opaque directory paths and unknowns (path and reason) that
   * one layer records. A layer that needs more fails.
   */
  readonly maxRecordedBytes: number;
}

/**
 * Maximum length in bytes of an entry name or link target that is read: PATH_MAX on Linux. Longer
 * names come only from pax headers (tar-stream accepts up to 4 MiB), and such entries are skipped.
 */
export const MAX_ENTRY_NAME_BYTES = 4096;

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
  maxLinkTargetBytes: 64 * MiB,
  maxHardLinks: 1000,
  maxRecordedBytes: 16 * MiB,
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
