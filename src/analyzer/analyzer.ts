/**
 * The analyzer contract. The layer reader asks every analyzer whether it wants a tar entry before
 * reading its bytes, buffers only the entries some analyzer wants, and hands each one to the
 * analyzers that asked for it.
 *
 * @module
 */

import type { PackageDatabase, Unknown } from '../types.js';

/** Facts about a tar entry, available before its content is read. */
export interface EntryInfo {
  /** Size in bytes of the regular file. */
  readonly size: number;
  readonly mode: number;
}

/** One file handed to an analyzer. */
export interface AnalyzerInput {
  /** Path inside the layer, normalised: no leading `/` or `./`, e.g. `var/lib/dpkg/status`. */
  readonly path: string;
  readonly content: Buffer;
}

/** Findings of an analyzer in one file. Every field is optional; the reader merges them per layer. */
export interface AnalysisResult {
  /** OS release files by path, kept verbatim so OS detection can combine files across layers. */
  readonly osFiles?: Readonly<Record<string, string>>;
  readonly packageDatabases?: readonly PackageDatabase[];
  /** Malformed entries that were skipped. */
  readonly unknowns?: readonly Unknown[];
}

export interface Analyzer {
  /** Stable name, e.g. `dpkg`; part of the cache key. */
  readonly type: string;
  /** Raise whenever the output for the same input changes, so cached layers are analysed again. */
  readonly version: number;
  /**
   * The paths or patterns this analyzer reads. They are part of the layer cache key, so change them
   * whenever `required` changes: every cached layer is then analysed again.
   */
  readonly reads: readonly string[];
  /** Returns true when the analyzer wants the entry at `path` (normalised as in AnalyzerInput). */
  required(path: string, info: EntryInfo): boolean;
  /** Returns null when the file contains nothing this analyzer reports. */
  analyze(input: AnalyzerInput): Promise<AnalysisResult | null> | AnalysisResult | null;
}
