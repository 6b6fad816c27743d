/**
 * `strata db build`, `strata db info` and the database part of `strata --version`.
 *
 * @module
 */

import { resolve } from 'node:path';

import { buildDatabase, parseSourceArgument } from '../db/build.js';
import { defaultCacheDir } from '../db/paths.js';
import { SCHEMA_VERSION } from '../db/schema.js';
import { VulnerabilityStore, type DatabaseInfo } from '../db/store.js';
import { DatabaseError, StrataError } from '../errors.js';
import type { Logger } from '../log.js';
import { SCANNER_VERSION } from '../version.js';
import type { GlobalOptions, ProgramIO } from './program.js';

export async function runDatabaseBuild(options: GlobalOptions & { source?: string[] }, io: ProgramIO, logger: Logger): Promise<void> {
  if (options.source === undefined || options.source.length === 0) {
    throw new StrataError('INVALID_ARGUMENT', 'no feed given; pass at least one --source KIND=PATH, e.g. --source alpine-secdb=./secdb');
  }
  const sources = options.source.map((text) => parseSourceArgument(text));
  const info = await buildDatabase({ cacheDir: databaseDirOf(options), sources, logger, scannerVersion: SCANNER_VERSION });
  if (options.quiet !== true) io.stdout.write(formatInfo(info));
}

export async function runDatabaseInfo(options: GlobalOptions, io: ProgramIO): Promise<void> {
  const store = VulnerabilityStore.open(databaseDirOf(options));
  try {
    io.stdout.write(`Scanner version: ${SCANNER_VERSION}\n${formatInfo(store.info())}`);
  } finally {
    store.close();
  }
}

/** Returns the text of `strata --version`: the scanner, and the database when one exists. */
export function describeVersions(options: GlobalOptions): string {
  const lines = [`Version: ${SCANNER_VERSION}`, `Database schema: ${SCHEMA_VERSION}`];
  try {
    const store = VulnerabilityStore.open(databaseDirOf(options));
    try {
      // The database's own schema line repeats the one above: an opened database always matches it.
      lines.push(...formatInfo(store.info()).trimEnd().split('\n').filter((line) => !line.includes('Schema version')));
    } finally {
      store.close();
    }
  } catch (error) {
    if (!(error instanceof DatabaseError)) throw error;
    lines.push(`Vulnerability DB: none (${error.message})`);
  }
  return `${lines.join('\n')}\n`;
}

function formatInfo(info: DatabaseInfo): string {
  const lines = [
    `Vulnerability DB: ${info.path}`,
    `  Schema version: ${info.schemaVersion}`,
    `  Built at: ${info.builtAt}`,
    `  Built by scanner version: ${info.scannerVersion}`,
    '  Sources:',
  ];
  for (const source of info.sources) {
    const kind = source.kind === source.name ? '' : ` (${source.kind})`;
    lines.push(`    ${source.name}${kind}: ${source.recordCount} records, feed date ${source.feedDate}, from ${source.path}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Returns the cache dir that contains the database; an empty --cache-dir means the default one. */
export function databaseDirOf(options: GlobalOptions): string {
  return options.cacheDir === undefined || options.cacheDir === '' ? defaultCacheDir() : resolve(options.cacheDir);
}
