/**
 * The layer cache inside real scans: hits on a second scan, bypass, corrupt entries, analyzer
 * version bumps, and many processes sharing one cache directory or one Redis.
 */

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Analyzer } from '../analyzer/analyzer.js';
import { defaultAnalyzers } from '../analyzer/index.js';
import { buildDatabase } from '../db/build.js';
import { DigestMismatchError } from '../errors.js';
import { memoryLogger, type LogRecord } from '../log.js';
import { buildJSONReport } from '../report/json.js';
import type { ScanResult } from '../report/result.js';
import { scanImage } from '../scan.js';
import { runStrata, type CliRun } from '../test-support/cli.js';
import { writeOCILayout } from '../test-support/image-builder.js';
import { startRedis, skipUnlessRedis, type RedisServer } from '../test-support/redis.js';
import { sharedPath, skipUnlessShared } from '../test-support/shared.js';

const IMAGE = 'images/debian-bookworm-multilayer/oci-archive.tar';
const DEBIAN_SAMPLE = 'feeds/upstream-format-samples/tests/unit/providers/debian/test-fixtures/input/debian.json';

/** Returns the report without its creation time, which differs between any two scans. */
function comparableReport(result: ScanResult): string {
  const report = buildJSONReport(result, result.findings, { listAllPackages: true });
  delete report.CreatedAt;
  return JSON.stringify(report);
}

/** Returns the cache outcome per layer index from the debug log: hit, miss or bypass. */
function cacheOutcomes(records: readonly LogRecord[]): string[] {
  return records
    .filter((record) => record.message === 'layer done')
    .sort((a, b) => Number(a.fields.index) - Number(b.fields.index))
    .map((record) => String(record.fields.cache));
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name))).sort();
}

function withVersion(type: string, version: number): Analyzer[] {
  return defaultAnalyzers.map((analyzer) => (analyzer.type === type ? { ...analyzer, version, required: analyzer.required.bind(analyzer), analyze: analyzer.analyze.bind(analyzer) } : analyzer));
}

describe('layer cache in scans', skipUnlessShared(IMAGE, DEBIAN_SAMPLE), () => {
  let work: string;
  let databaseDir: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-cache-scan-'));
    databaseDir = join(work, 'db-home');
    await buildDatabase({ cacheDir: databaseDir, sources: [{ kind: 'debian-tracker', path: sharedPath(DEBIAN_SAMPLE) }], scannerVersion: 'test' });
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function scan(cacheDir: string, analyzers?: readonly Analyzer[]) {
    const { logger, records } = memoryLogger('debug');
    const result = await scanImage({ input: sharedPath(IMAGE), databaseDir, cache: { cacheDir }, logger, ...(analyzers === undefined ? {} : { analyzers }) });
    return { result, records };
  }

  it('second scan reads every layer from the cache', async () => {
    const cacheDir = join(work, 'twice');
    const first = await scan(cacheDir);
    const second = await scan(cacheDir);

    assert.deepEqual(cacheOutcomes(first.records), ['miss', 'miss', 'miss']);
    assert.deepEqual(cacheOutcomes(second.records), ['hit', 'hit', 'hit']);
    assert.equal(comparableReport(second.result), comparableReport(first.result));
    const summary = second.records.find((record) => record.message === 'scan finished');
    assert.equal(summary?.fields.fromCache, 3);
    assert.equal(summary?.fields.analysed, 0);
  });

  it('empty cache dir bypasses the cache', async () => {
    const before = await listFiles(work);
    const { records } = await scan('');
    assert.deepEqual(cacheOutcomes(records), ['bypass', 'bypass', 'bypass']);
    assert.deepEqual(await listFiles(work), before);
  });

  it('corrupt entry is re-analysed with a warning', async () => {
    const cacheDir = join(work, 'corrupt');
    const first = await scan(cacheDir);

    // Truncate one layer entry and edit another; both must be detected.
    const files = (await listFiles(join(cacheDir, 'scan', 'layer'))).map((file) => join(cacheDir, 'scan', 'layer', file));
    assert.equal(files.length, 3);
    const [truncated, edited] = files as [string, string];
    const text = await readFile(truncated, 'utf8');
    await writeFile(truncated, text.slice(0, text.length / 2));
    await writeFile(edited, (await readFile(edited, 'utf8')).replace(/"version":"([^"]+)"/, '"version":"0.0.1-tampered"'));

    const second = await scan(cacheDir);
    const warnings = second.records.filter((record) => record.level === 'warn' && record.message === 'cache entry discarded');
    assert.equal(warnings.length, 2);
    assert.deepEqual(cacheOutcomes(second.records).filter((outcome) => outcome === 'miss').length, 2);
    assert.equal(comparableReport(second.result), comparableReport(first.result));

    const third = await scan(cacheDir);
    assert.deepEqual(cacheOutcomes(third.records), ['hit', 'hit', 'hit']);
  });

  it('blob rewritten in place is not a cache hit', async () => {
    const layout = join(work, 'rewritten');
    const built = await writeOCILayout(layout, [{ files: [{ path: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.10.4\n' }] }]);
    const cacheDir = join(work, 'rewritten-cache');
    const first = await scanImage({ input: layout, databaseDir, cache: { cacheDir } });
    assert.equal(first.os?.family, 'alpine');

    // Same size and modification time, other bytes: only the ctime and the content tell them apart.
    const blob = join(layout, 'blobs', 'sha256', (built.layerDigests[0] ?? '').slice('sha256:'.length));
    const { mtime } = await stat(blob);
    const bytes = await readFile(blob);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0xff;
    await writeFile(blob, bytes);
    await utimes(blob, mtime, mtime);

    await assert.rejects(scanImage({ input: layout, databaseDir, cache: { cacheDir } }), DigestMismatchError);
  });

  it('raising one analyzer version re-analyses only its layers', async () => {
    const cacheDir = join(work, 'versions');
    await scan(cacheDir);

    // os-release exists only in the base layer; dpkg's status is rewritten in every layer; no layer
    // has an apk database.
    const os = defaultAnalyzers.find((analyzer) => analyzer.type === 'os');
    assert.deepEqual(cacheOutcomes((await scan(cacheDir, withVersion('os', (os?.version ?? 0) + 1))).records), ['miss', 'hit', 'hit']);
    const apk = defaultAnalyzers.find((analyzer) => analyzer.type === 'apk');
    assert.deepEqual(cacheOutcomes((await scan(cacheDir, withVersion('apk', (apk?.version ?? 0) + 1))).records), ['hit', 'hit', 'hit']);
    const dpkg = defaultAnalyzers.find((analyzer) => analyzer.type === 'dpkg');
    assert.deepEqual(cacheOutcomes((await scan(cacheDir, withVersion('dpkg', (dpkg?.version ?? 0) + 1))).records), ['miss', 'miss', 'miss']);
  });
});

const strata = runStrata;

function withoutCreatedAt(stdout: string): string {
  const report = JSON.parse(stdout) as Record<string, unknown>;
  delete report.CreatedAt;
  return JSON.stringify(report);
}

const PARALLEL_SCANS = 8;

describe('parallel scans sharing a cache', skipUnlessShared(IMAGE, DEBIAN_SAMPLE), () => {
  let work: string;
  let cacheDir: string;
  let redis: RedisServer | undefined;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-parallel-'));
    cacheDir = join(work, 'cache');
    await mkdir(cacheDir);
    const build = await strata(['db', 'build', '--cache-dir', cacheDir, '--source', `debian-tracker=${sharedPath(DEBIAN_SAMPLE)}`]);
    assert.equal(build.code, 0, build.stderr);
  });

  after(async () => {
    await redis?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function scanInParallel(extra: readonly string[]): Promise<CliRun[]> {
    const args = ['image', '--cache-dir', cacheDir, '--input', sharedPath(IMAGE), '--format', 'json', '--list-all-pkgs', ...extra];
    return Promise.all(Array.from({ length: PARALLEL_SCANS }, () => strata(args)));
  }

  it('eight processes on one cache directory', async () => {
    const runs = await scanInParallel([]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    const reports = new Set(runs.map((run) => withoutCreatedAt(run.stdout)));
    assert.equal(reports.size, 1);

    // No temporary file is left behind, and one entry per layer plus its index remains.
    const files = await listFiles(join(cacheDir, 'scan'));
    assert.deepEqual(files.filter((file) => file.includes('.tmp-')), []);
    assert.equal(files.filter((file) => file.startsWith('layer/')).length, 3);
  });

  it('eight processes on one Redis', skipUnlessRedis(), async () => {
    redis = await startRedis();
    const runs = await scanInParallel(['--cache-backend', redis.url]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr);
    assert.equal(new Set(runs.map((run) => withoutCreatedAt(run.stdout))).size, 1);

    const listing = await strata(['cache', 'ls', '--cache-dir', cacheDir, '--cache-backend', redis.url]);
    assert.equal(listing.code, 0, listing.stderr);
    assert.equal(listing.stdout.trim().split('\n').length, 1 + 3);
  });

  it('Redis that is down fails unless fallback is set', skipUnlessRedis(), async () => {
    const down = await startRedis();
    await down.stop();
    const failed = await strata(['image', '--cache-dir', cacheDir, '--input', sharedPath(IMAGE), '--cache-backend', down.url]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /cannot use the Redis cache at redis:\/\/127\.0\.0\.1:\d+/);

    const fallback = await strata(['image', '--cache-dir', cacheDir, '--input', sharedPath(IMAGE), '--cache-backend', down.url, '--cache-fallback']);
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.match(fallback.stderr, /WARN Redis cache unavailable/);
  });

  it('cache ls and clean', async () => {
    const listing = await strata(['cache', 'ls', '--cache-dir', cacheDir]);
    assert.equal(listing.code, 0, listing.stderr);
    const rows = listing.stdout.trim().split('\n').slice(1);
    assert.equal(rows.length, 3);
    for (const row of rows) assert.match(row, /^sha256:[0-9a-f]{64}\t\d+\t\d+[smhd]\t\d+\t(os@\d+,)?dpkg@\d+$/);

    const clean = await strata(['cache', 'clean', '--cache-dir', cacheDir]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /Removed \d+ scan cache entries\./);
    assert.deepEqual(await listFiles(join(cacheDir)), ['db/strata.db']);

    const cleanAll = await strata(['cache', 'clean', '--all', '--cache-dir', cacheDir]);
    assert.equal(cleanAll.code, 0, cleanAll.stderr);
    assert.deepEqual(await listFiles(cacheDir), []);
  });
});
