/**
 * The database as the scan pipeline uses it: the matcher's AdvisorySource plus close().
 *
 * @module
 */

import type { AdvisorySource } from '../matcher/match.js';
import { VulnerabilityStore } from './store.js';

/** Opens the database of a cache directory; throws DatabaseError DB_MISSING or DB_INVALID. */
export function openDatabase(cacheDir: string): AdvisorySource & { close(): void } {
  return VulnerabilityStore.open(cacheDir);
}
