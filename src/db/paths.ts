/**
 * Location of the vulnerability database inside the cache directory.
 *
 * @module
 */

import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Returns `$XDG_CACHE_HOME/strata`, or `~/.cache/strata` when the variable is unset, empty or
 * relative (the XDG Base Directory specification requires ignoring relative paths).
 */
export function defaultCacheDir(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return join(base, 'strata');
}

/** Returns the database file of a cache directory: `<cacheDir>/db/strata.db`. */
export function databasePath(cacheDir: string): string {
  return join(cacheDir, 'db', 'strata.db');
}
