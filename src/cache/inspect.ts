/**
 * Listing and cleaning of the scan cache, for `strata cache ls` and `strata cache clean`.
 *
 * @module
 */

import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { CacheBackend } from './backend.js';
import { decodeEntry } from './entry.js';
import type { CachedLayer } from './layer-cache.js';

export interface LayerEntrySummary {
  readonly key: string;
  /** Undefined for an entry that fails its checks; `problem` gives the reason. */
  readonly diffID?: string;
  readonly size: number;
  readonly createdAt?: Date;
  readonly analyzers: Readonly<Record<string, number>>;
  readonly packages: number;
  readonly problem?: string;
}

/** Returns every layer entry of the backend, oldest first, checked as a scan would check it. */
export async function listLayerEntries(backend: CacheBackend): Promise<LayerEntrySummary[]> {
  const summaries: LayerEntrySummary[] = [];
  for await (const info of backend.list()) {
    if (info.kind !== 'layer') continue;
    const text = await backend.get('layer', info.key);
    if (text === undefined) continue;

    const entry = decodeEntry('layer', text);
    if (!entry.ok) {
      summaries.push({ key: info.key, size: info.size, analyzers: {}, packages: 0, problem: entry.reason });
      continue;
    }
    const { analysis } = entry.payload as CachedLayer;
    summaries.push({
      key: info.key,
      diffID: analysis.diffID,
      size: info.size,
      createdAt: entry.createdAt,
      analyzers: analysis.analyzers,
      packages: analysis.packageDatabases.reduce((count, database) => count + database.packages.length, 0),
    });
  }
  return summaries.sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
}

export interface CleanResult {
  readonly scanEntries: number;
  readonly database: boolean;
}

/**
 * Removes the scan cache, and with `database` the vulnerability database under `<cacheDir>/db`.
 * Other files in the cache dir are left alone.
 */
export async function cleanCache(backend: CacheBackend | undefined, cacheDir: string, options: { database: boolean }): Promise<CleanResult> {
  const scanEntries = backend === undefined ? 0 : await backend.clear();
  if (options.database && cacheDir !== '') await rm(join(cacheDir, 'db'), { recursive: true, force: true });
  return { scanEntries, database: options.database };
}
