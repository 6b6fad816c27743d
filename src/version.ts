/**
 * The scanner's own version, read from package.json at run time so that source and build agree.
 *
 * @module
 */

import { readFileSync } from 'node:fs';

function readVersion(): string {
  // Both src/ (run through tsx) and dist/ sit one level below the package root.
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
}

export const SCANNER_VERSION: string = readVersion();
