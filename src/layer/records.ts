/**
 * The paths that a layer records besides the analyzers' findings: whiteouts, opaque directories
 * and unknowns. Their total size is bounded, because a layer of a million entries with
 * 4,096-byte names would otherwise hold gigabytes of paths.
 *
 * @module
 */

import type { Unknown } from '../types.js';
import { LayerLimitError } from './failure.js';

/** The first entry skipped for a repeated reason, and how many were skipped for it. */
interface RepeatedSkip {
  readonly unknown: Unknown;
  count: number;
}

export class LayerRecords {
  readonly whiteouts: string[] = [];
  readonly opaqueDirs: string[] = [];
  readonly #unknowns: Unknown[] = [];
  /** Keyed by a name for the reason, e.g. `long-name`. */
  readonly #repeated = new Map<string, RepeatedSkip>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  addWhiteout(path: string): void {
    this.#count(path);
    this.whiteouts.push(path);
  }

  addOpaqueDir(dir: string): void {
    this.#count(dir);
    this.opaqueDirs.push(dir);
  }

  addUnknown(unknown: Unknown): void {
    this.#count(unknown.path, unknown.reason);
    this.#unknowns.push(unknown);
  }

  /**
   * Records the first entry skipped for the reason `key` as an unknown and only counts the later
   * ones, which `unknowns()` reports in the first one's reason.
   */
  addRepeated(key: string, unknown: Unknown): void {
    const repeated = this.#repeated.get(key);
    if (repeated !== undefined) {
      repeated.count += 1;
      return;
    }
    this.#count(unknown.path, unknown.reason);
    this.#repeated.set(key, { unknown, count: 1 });
  }

  /** Returns how many entries were skipped for the reason `key`. */
  repeatedCount(key: string): number {
    return this.#repeated.get(key)?.count ?? 0;
  }

  unknowns(): Unknown[] {
    const grouped = [...this.#repeated.values()].map(({ unknown, count }) =>
      count === 1 ? unknown : { path: unknown.path, reason: `${unknown.reason}; ${count - 1} more entries were skipped for the same reason` },
    );
    return [...this.#unknowns, ...grouped];
  }

  #count(...texts: string[]): void {
    for (const text of texts) this.#bytes += Buffer.byteLength(text);
    if (this.#bytes > this.#maxBytes) {
      throw new LayerLimitError(
        `the layer records more than ${this.#maxBytes} bytes of whiteout paths, opaque directories and unknowns; raise limits.maxRecordedBytes to read it`,
      );
    }
  }
}
