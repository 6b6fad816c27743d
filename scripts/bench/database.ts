/**
 * Measures `strata db build` for each feed on its own and for all feeds together. The scans and
 * the matching benchmark use the database of all feeds.
 *
 * @module
 */

import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { databasePath } from '../../src/db/paths.js';
import { VulnerabilityStore } from '../../src/db/store.js';
import { sharedPath } from '../../src/test-support/shared.js';
import { measure, type Timing } from './hyperfine.js';
import { shellCommand } from './process.js';

export interface Feed {
  readonly kind: 'alpine-secdb' | 'nvd' | 'debian-tracker';
  readonly path: string;
}

export const FEEDS: readonly Feed[] = [
  { kind: 'alpine-secdb', path: sharedPath('feeds', 'alpine-secdb') },
  { kind: 'nvd', path: sharedPath('feeds', 'nvd-records') },
  {
    kind: 'debian-tracker',
    path: sharedPath('feeds', 'upstream-format-samples', 'tests', 'unit', 'providers', 'debian', 'test-fixtures', 'input', 'debian.json'),
  },
];

export interface DatabaseRow {
  /** Feed kinds in the build, e.g. `alpine-secdb` or `all feeds`. */
  readonly label: string;
  /** Bytes of the feed files read. */
  readonly inputBytes: number;
  readonly records: number;
  readonly timing: Timing;
  /** Bytes of the built `strata.db`. */
  readonly databaseBytes: number;
  /** Cache directory with the built database under `db/`. */
  readonly cacheDir: string;
}

export interface DatabaseBenchOptions {
  readonly strataCli: string;
  readonly warmup: number;
  readonly runs: number;
  readonly workDir: string;
  readonly log: (message: string) => void;
}

/** Builds one database per feed and one with every feed; the last row is the combined one. */
export async function benchDatabases(options: DatabaseBenchOptions): Promise<DatabaseRow[]> {
  const builds = [...FEEDS.map((feed) => ({ label: feed.kind, feeds: [feed] })), { label: 'all feeds', feeds: FEEDS }];
  const rows: DatabaseRow[] = [];
  for (const [position, build] of builds.entries()) {
    options.log(`database build: ${build.label}`);
    const cacheDir = join(options.workDir, `db-build-${position}`);
    await mkdir(cacheDir, { recursive: true });
    const command = shellCommand([
      'node',
      options.strataCli,
      'db',
      'build',
      '--quiet',
      '--cache-dir',
      cacheDir,
      ...build.feeds.flatMap((feed) => ['--source', `${feed.kind}=${feed.path}`]),
    ]);
    const { timing } = await measure(command, {
      warmup: options.warmup,
      runs: options.runs,
      workDir: options.workDir,
      prepare: shellCommand(['rm', '-rf', join(cacheDir, 'db')]),
    });
    rows.push({
      label: build.label,
      inputBytes: (await Promise.all(build.feeds.map((feed) => sizeOf(feed.path)))).reduce((a, b) => a + b, 0),
      records: countRecords(cacheDir),
      timing,
      databaseBytes: (await stat(databasePath(cacheDir))).size,
      cacheDir,
    });
  }
  return rows;
}

function countRecords(cacheDir: string): number {
  const store = VulnerabilityStore.open(cacheDir);
  try {
    return store.info().sources.reduce((total, source) => total + source.recordCount, 0);
  } finally {
    store.close();
  }
}

/** Returns the size of a file, or the total size of the files under a directory. */
async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(entries.filter((entry) => entry.isFile()).map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size));
  return sizes.reduce((a, b) => a + b, 0);
}
