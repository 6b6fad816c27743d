/**
 * `strata cache ls` and `strata cache clean`.
 *
 * @module
 */

import { resolve } from 'node:path';

import { openCacheBackend } from '../cache/open.js';
import { cleanCache, listLayerEntries } from '../cache/inspect.js';
import { defaultCacheDir } from '../db/paths.js';
import { StrataError } from '../errors.js';
import type { Logger } from '../log.js';
import type { GlobalOptions, ProgramIO } from './program.js';

export interface CacheCommandOptions extends GlobalOptions {
  readonly cacheBackend?: string;
  readonly db?: boolean;
  readonly all?: boolean;
}

export async function runCacheList(options: CacheCommandOptions, io: ProgramIO, logger: Logger, now: Date = new Date()): Promise<void> {
  const backend = await openBackend(options, logger);
  try {
    const entries = await listLayerEntries(backend);
    const lines = [['DIFF ID', 'SIZE', 'AGE', 'PACKAGES', 'ANALYZERS'].join('\t')];
    for (const entry of entries) {
      const analyzers = Object.entries(entry.analyzers)
        .map(([type, version]) => `${type}@${version}`)
        .join(',');
      lines.push(
        [
          entry.diffID ?? `(corrupt: ${entry.problem ?? 'unreadable'})`,
          String(entry.size),
          entry.createdAt === undefined ? '-' : formatAge(now.getTime() - entry.createdAt.getTime()),
          String(entry.packages),
          analyzers === '' ? '-' : analyzers,
        ].join('\t'),
      );
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await backend.close();
  }
}

export async function runCacheClean(options: CacheCommandOptions, io: ProgramIO, logger: Logger): Promise<void> {
  const cacheDir = cacheDirOf(options);
  const backend = await openBackend(options, logger);
  try {
    const result = await cleanCache(backend, cacheDir, { database: options.db === true || options.all === true });
    if (options.quiet !== true) {
      io.stdout.write(`Removed ${result.scanEntries} scan cache entries${result.database ? ' and the vulnerability database' : ''}.\n`);
    }
  } finally {
    await backend.close();
  }
}

async function openBackend(options: CacheCommandOptions, logger: Logger) {
  const cacheDir = cacheDirOf(options);
  const backend = await openCacheBackend({ cacheDir, ...(options.cacheBackend === undefined ? {} : { backend: options.cacheBackend }) }, logger);
  if (backend === undefined) {
    throw new StrataError('INVALID_ARGUMENT', 'the cache is off because --cache-dir is empty; pass the cache directory to inspect or clean');
  }
  return backend;
}

function cacheDirOf(options: GlobalOptions): string {
  return options.cacheDir === '' ? '' : resolve(options.cacheDir ?? defaultCacheDir());
}

/** Returns e.g. `42s`, `5m`, `3h` or `2d`. */
export function formatAge(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}
