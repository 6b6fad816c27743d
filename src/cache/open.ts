/**
 * Chooses the scan cache backend from the options: `fs` (default) under `<cache-dir>/scan`,
 * `memory`, or a `redis://` / `rediss://` URL. An empty cache dir turns the cache off.
 *
 * @module
 */

import { join } from 'node:path';

import type { Analyzer } from '../analyzer/analyzer.js';
import { CacheError, StrataError } from '../errors.js';
import type { Logger } from '../log.js';
import { MemoryBackend, redactURL, type CacheBackend } from './backend.js';
import { FileSystemBackend } from './fs-backend.js';
import type { AnalysisOptions } from './key.js';
import { LayerCache } from './layer-cache.js';

export interface CacheSettings {
  /** Cache directory; `''` turns the persistent cache off. */
  readonly cacheDir: string;
  /** `fs`, `memory` or a Redis URL; default `fs`. */
  readonly backend?: string;
  /** Expiry of Redis entries, e.g. `24h`; undefined keeps them until evicted. */
  readonly ttl?: string;
  /** Scan without a cache, with a warning, when the Redis backend cannot be used. */
  readonly fallback?: boolean;
}

/** Returns the backend the settings ask for, or undefined when the cache is off. */
export async function openCacheBackend(settings: CacheSettings, logger: Logger): Promise<CacheBackend | undefined> {
  const backend = settings.backend ?? 'fs';
  // An empty cache dir is the documented way to scan with no cache at all, whatever the backend.
  if (settings.cacheDir === '') {
    logger.debug('scan cache off: the cache dir is empty', { backend: backend.startsWith('redis') ? 'redis' : backend });
    return undefined;
  }

  if (backend === 'memory') return new MemoryBackend();

  if (backend.startsWith('redis://') || backend.startsWith('rediss://')) {
    const ttlSeconds = settings.ttl === undefined ? undefined : parseDuration(settings.ttl);
    // Loaded only for Redis: ioredis adds tens of milliseconds to every start-up.
    const { RedisBackend } = await import('./redis-backend.js');
    try {
      return await RedisBackend.connect(backend, ttlSeconds === undefined ? {} : { ttlSeconds });
    } catch (error) {
      if (!(error instanceof CacheError) || settings.fallback !== true) throw error;
      logger.warn('Redis cache unavailable; scanning without a cache because --cache-fallback is set', {
        url: redactURL(backend),
        error: error.cause instanceof Error ? error.cause.message : error.message,
      });
      return undefined;
    }
  }

  if (backend !== 'fs') {
    throw new StrataError('INVALID_ARGUMENT', `unknown cache backend ${JSON.stringify(backend)}; use fs, memory, or a redis:// or rediss:// URL`);
  }
  return new FileSystemBackend(join(settings.cacheDir, 'scan'));
}

/** Opens the layer cache, or returns undefined when the cache is off. */
export async function openLayerCache(
  settings: CacheSettings,
  analyzers: readonly Analyzer[],
  options: AnalysisOptions,
  logger: Logger,
): Promise<LayerCache | undefined> {
  const backend = await openCacheBackend(settings, logger);
  return backend === undefined ? undefined : new LayerCache(backend, analyzers, options, logger);
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `90`, `90s`, `30m`, `24h` or `7d` into seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  const seconds = match === null ? Number.NaN : Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? Number.NaN);
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new StrataError('INVALID_ARGUMENT', `invalid duration ${JSON.stringify(text)}; use a positive number with s, m, h or d, e.g. 24h`);
  }
  return seconds;
}
