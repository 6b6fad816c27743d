/**
 * Locates the shared test material (real images, package databases and feeds) that sits beside
 * the project checkout as `../shared`. A fresh clone elsewhere has none, so tests that read it
 * skip with a message instead of failing.
 *
 * @module
 */

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the project checkout. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared` relative to the project root; override with STRATA_SHARED_DIR. */
export const sharedRoot = resolve(process.env.STRATA_SHARED_DIR ?? join(projectRoot, '..', 'shared'));

/** Returns the absolute path of a file or folder under `../shared`. */
export function sharedPath(...parts: string[]): string {
  return join(sharedRoot, ...parts);
}

/**
 * Returns a `skip` option for node:test: false when every path exists under `../shared`,
 * otherwise the message that node:test prints for the skipped test.
 */
export function skipUnlessShared(...paths: string[]): { skip: string | false } {
  for (const path of paths.length > 0 ? paths : ['.']) {
    if (!existsSync(sharedPath(path))) {
      return { skip: `shared test material not found at ${sharedPath(path)}; run from a checkout beside ../shared` };
    }
  }
  return { skip: false };
}
