/**
 * Builds the vulnerability database from local feed copies. The new database is written to a
 * temporary file beside the old one and renamed over it only when every feed was read, so a
 * failed build leaves the previous database in use and no temporary file behind.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { errorMessage, StrataError } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { readAlpineSecdb } from './feeds/alpine-secdb.js';
import { readDebianTracker } from './feeds/debian-tracker.js';
import { FEED_KINDS, type FeedKind, type FeedReader, type FeedSource } from './feeds/feed.js';
import { statFeedPath } from './feeds/files.js';
import { readNvd } from './feeds/nvd.js';
import { databasePath } from './paths.js';
import { type DatabaseInfo, VulnerabilityStore } from './store.js';
import { DatabaseWriter, type SourceRow } from './writer.js';

export type { FeedKind, FeedSource } from './feeds/feed.js';

export interface BuildOptions {
  readonly cacheDir: string;
  readonly sources: readonly FeedSource[];
  readonly logger?: Logger;
  /** Version of the scanner that builds the database, stored in `meta`. */
  readonly scannerVersion: string;
  /** Build time to record; defaults to the current time. */
  readonly now?: Date;
}

const READERS: Readonly<Record<FeedKind, FeedReader>> = {
  'alpine-secdb': readAlpineSecdb,
  'debian-tracker': readDebianTracker,
  nvd: readNvd,
};

const KIND_LIST = FEED_KINDS.join(', ');

/**
 * Age after which a temporary database file counts as left behind by a killed build. A running
 * build writes to its file all the time, so its modification time stays recent.
 */
const STALE_TEMP_AGE_MS = 60 * 60 * 1000;

/** Parses a `--source` value, `KIND=PATH`, e.g. `alpine-secdb=./secdb`. */
export function parseSourceArgument(text: string): FeedSource {
  const separator = text.indexOf('=');
  const kind = separator < 0 ? text : text.slice(0, separator);
  const path = separator < 0 ? '' : text.slice(separator + 1);
  if (!isFeedKind(kind)) {
    throw new StrataError('INVALID_ARGUMENT', `invalid --source "${text}": unknown feed kind "${kind}"; expected KIND=PATH with KIND one of ${KIND_LIST}`);
  }
  if (path === '') {
    throw new StrataError('INVALID_ARGUMENT', `invalid --source "${text}": the path is missing; expected ${kind}=PATH`);
  }
  return { kind, path };
}

/** Reads every source into a new database and returns what the new database records. */
export async function buildDatabase(options: BuildOptions): Promise<DatabaseInfo> {
  const logger = options.logger ?? silentLogger;
  const builtAt = (options.now ?? new Date()).toISOString();
  const modified = await checkSources(options.sources);

  const finalPath = databasePath(options.cacheDir);
  await mkdir(dirname(finalPath), { recursive: true });
  // A build killed by a signal leaves its temporary file, which a later build removes.
  await removeStaleTempFiles(finalPath, logger);
  const tempPath = `${finalPath}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  logger.debug('database build started', { path: finalPath, temp: tempPath, sources: options.sources.length });

  let writer: DatabaseWriter | undefined;
  try {
    writer = DatabaseWriter.create(tempPath);
    for (const [index, source] of options.sources.entries()) {
      const row = await readSource(writer, source, modified[index] ?? new Date(0), builtAt, logger);
      writer.finishSource(row);
    }
    writer.commit({ builtAt, scannerVersion: options.scannerVersion });
    await syncFile(tempPath);
    await rename(tempPath, finalPath);
  } catch (error) {
    writer?.abort();
    await rm(tempPath, { force: true });
    logger.debug('database build failed, temporary file removed', { temp: tempPath });
    throw error;
  }

  const store = VulnerabilityStore.open(options.cacheDir);
  try {
    const info = store.info();
    logger.info('database built', { path: finalPath, sources: info.sources.length });
    return info;
  } finally {
    store.close();
  }
}

/**
 * Checks every source before anything is written: known kind, no repeats, path present. Returns
 * each path's modification time, the feed date of last resort.
 */
async function checkSources(sources: readonly FeedSource[]): Promise<Date[]> {
  if (sources.length === 0) {
    throw new StrataError('INVALID_ARGUMENT', `no feed sources given; pass at least one --source KIND=PATH with KIND one of ${KIND_LIST}`);
  }

  const seen = new Set<string>();
  const modified: Date[] = [];
  for (const source of sources) {
    const argument = `--source ${source.kind}=${source.path}`;
    if (!isFeedKind(source.kind)) {
      throw new StrataError('INVALID_ARGUMENT', `invalid ${argument}: unknown feed kind "${String(source.kind)}"; use one of ${KIND_LIST}`);
    }
    const key = `${source.kind}=${resolve(source.path)}`;
    if (seen.has(key)) throw new StrataError('INVALID_ARGUMENT', `${argument} is given twice; pass each source once`);
    seen.add(key);

    modified.push((await statFeedPath(source.kind, source.path)).mtime);
  }
  return modified;
}

async function readSource(writer: DatabaseWriter, source: FeedSource, pathModified: Date, builtAt: string, logger: Logger): Promise<SourceRow> {
  const started = Date.now();
  const feedLogger = logger.child({ feed: source.kind });
  const records = READERS[source.kind](source.path, feedLogger);

  let recordCount = 0;
  let step = await records.next();
  try {
    while (step.done !== true) {
      const record = step.value;
      recordCount += record.type === 'advisory' ? writer.writeAdvisory(record.advisory) : writer.writeDetail(record.detail, source.kind);
      step = await records.next();
    }
  } finally {
    // Runs the reader's cleanup (open streams) when a write failed part-way.
    if (step.done !== true) await records.return({ feedDate: undefined, filesRead: 0 });
  }

  const feedDate = (step.value.feedDate ?? pathModified).toISOString();
  feedLogger.info('feed read', { path: source.path, files: step.value.filesRead, records: recordCount, feedDate, ms: Date.now() - started });
  return { name: source.kind, kind: source.kind, path: resolve(source.path), feedDate, builtAt, recordCount };
}

/** Removes `<database>.tmp-*` files not modified for STALE_TEMP_AGE_MS; failures are only logged. */
async function removeStaleTempFiles(finalPath: string, logger: Logger): Promise<void> {
  const dir = dirname(finalPath);
  const prefix = `${basename(finalPath)}.tmp-`;
  const names = await readdir(dir).catch(() => []);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const path = join(dir, name);
    try {
      const stats = await lstat(path);
      if (!stats.isFile() || Date.now() - stats.mtimeMs < STALE_TEMP_AGE_MS) continue;
      await rm(path, { force: true });
      logger.info('stale temporary database removed', { path, modified: stats.mtime.toISOString() });
    } catch (error) {
      logger.warn('stale temporary database not removed', { path, error: errorMessage(error) });
    }
  }
}

/** Flushes the file to disk, so the rename never exposes a file whose data is still in the page cache. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isFeedKind(kind: string): kind is FeedKind {
  return (FEED_KINDS as readonly string[]).includes(kind);
}
