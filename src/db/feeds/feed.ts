/**
 * The contract between the feed readers and the database builder. A reader parses one upstream
 * feed and yields domain records, and the builder turns them into rows.
 *
 * @module
 */

import type { Logger } from '../../log.js';
import type { Advisory, VulnerabilityDetail } from '../../types.js';

export type FeedKind = 'alpine-secdb' | 'debian-tracker' | 'nvd';

export const FEED_KINDS: readonly FeedKind[] = ['alpine-secdb', 'debian-tracker', 'nvd'];

/** One `--source KIND=PATH` value. */
export interface FeedSource {
  readonly kind: FeedKind;
  readonly path: string;
}

export type FeedRecord =
  | { readonly type: 'advisory'; readonly advisory: Advisory }
  | { readonly type: 'detail'; readonly detail: VulnerabilityDetail };

/** Summary a reader returns after its last record. */
export interface FeedSummary {
  /**
   * Production date the feed gives or, where it gives none, the newest modification time of the
   * files read. Undefined when the reader read no files.
   */
  readonly feedDate: Date | undefined;
  readonly filesRead: number;
}

/**
 * Reads the feed at `path`. It throws FeedError, naming the file, on input it cannot parse, so a
 * build never stores a feed that was read only in part.
 */
export type FeedReader = (path: string, logger: Logger) => AsyncGenerator<FeedRecord, FeedSummary, undefined>;

/** Returns the later of two dates, ignoring undefined. */
export function laterDate(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.getTime() > a.getTime() ? b : a;
}
