import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { DatabaseError } from '../errors.js';
import { buildDatabase } from './build.js';
import { databasePath } from './paths.js';
import { VulnerabilityStore } from './store.js';

const PACKAGES = 1234;
const RECORDS = 1100;
const NOW = new Date('2026-01-02T03:04:05.000Z');

let scratch: string;
let cacheDir: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'strata-store-'));
  cacheDir = join(scratch, 'cache');

  // More packages and IDs than one IN list takes, so queries cross chunk boundaries.
  const secdb = join(scratch, 'secdb', 'v3.15');
  await mkdir(secdb, { recursive: true });
  const packages = Array.from({ length: PACKAGES }, (_, i) => ({
    pkg: { name: packageName(i), secfixes: { '1.0-r1': [`CVE-2020-${String(10000 + i)}`], '1.1-r0': [`CVE-2021-${String(10000 + i)}`] } },
  }));
  await writeFile(join(secdb, 'main.json'), JSON.stringify({ distroversion: 'v3.15', packages }));

  const tracker = join(scratch, 'tracker.json');
  await writeFile(tracker, JSON.stringify({ curl: { 'CVE-2024-0001': { releases: { bookworm: { status: 'open', urgency: 'low', repositories: {} } } } } }));

  const nvd = join(scratch, 'nvd');
  await mkdir(nvd, { recursive: true });
  const vulnerabilities = Array.from({ length: RECORDS }, (_, i) => ({
    cve: { id: `CVE-2020-${String(10000 + i)}`, lastModified: '2024-01-01T00:00:00.000', descriptions: [{ lang: 'en', value: `flaw ${i}` }] },
  }));
  await writeFile(join(nvd, 'page.json'), JSON.stringify({ vulnerabilities }));

  await buildDatabase({
    cacheDir,
    sources: [
      { kind: 'alpine-secdb', path: join(scratch, 'secdb') },
      { kind: 'debian-tracker', path: tracker },
      { kind: 'nvd', path: nvd },
    ],
    scannerVersion: '1.2.3',
    now: NOW,
  });
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function packageName(i: number): string {
  return `pkg-${String(i).padStart(5, '0')}`;
}

describe('VulnerabilityStore queries', () => {
  let store: VulnerabilityStore;
  before(() => {
    store = VulnerabilityStore.open(cacheDir);
  });
  after(() => store.close());

  test('advisoriesFor across chunks', () => {
    const names = Array.from({ length: PACKAGES }, (_, i) => packageName(i)).reverse();
    const advisories = store.advisoriesFor('alpine:3.15', [...names, 'pkg-00001', 'not-in-db']);
    assert.equal(advisories.length, PACKAGES * 2);
    assert.equal(advisories[0]?.packageName, 'pkg-00000');
    assert.equal(advisories.at(-1)?.packageName, packageName(PACKAGES - 1));
    assert.deepEqual(
      advisories.slice(0, 2).map((a) => a.vulnerabilityID),
      ['CVE-2020-10000', 'CVE-2021-10000'],
    );
  });

  test('advisory without optional fields', () => {
    const [advisory] = store.advisoriesFor('debian:bookworm', ['curl']);
    assert.deepEqual(advisory, { vulnerabilityID: 'CVE-2024-0001', source: 'debian-tracker', namespace: 'debian:bookworm', packageName: 'curl', status: 'affected', vendorSeverity: 'LOW' });
    assert.equal(advisory !== undefined && 'fixedVersion' in advisory, false);
  });

  test('advisoriesFor other namespace', () => {
    assert.deepEqual(store.advisoriesFor('alpine:3.16', ['pkg-00000']), []);
    assert.deepEqual(store.advisoriesFor('alpine:3.15', []), []);
  });

  test('countAdvisories', () => {
    assert.equal(store.countAdvisories('alpine:3.15'), PACKAGES * 2);
    assert.equal(store.countAdvisories('debian:bookworm'), 1);
    assert.equal(store.countAdvisories('alpine:3.16'), 0);
  });

  test('details across chunks', () => {
    const ids = Array.from({ length: RECORDS }, (_, i) => `CVE-2020-${String(10000 + i)}`);
    const details = store.details([...ids, 'CVE-1999-0001']);
    assert.equal(details.size, RECORDS);
    assert.equal(details.has('CVE-1999-0001'), false);
    assert.deepEqual(details.get('CVE-2020-10007'), {
      id: 'CVE-2020-10007',
      description: 'flaw 7',
      cvss: {},
      references: [],
      lastModifiedDate: '2024-01-01T00:00:00.000Z',
      source: 'nvd',
    });
  });

  test('info', () => {
    const info = store.info();
    assert.equal(info.path, databasePath(cacheDir));
    assert.equal(info.builtAt, NOW.toISOString());
    assert.equal(info.scannerVersion, '1.2.3');
    assert.deepEqual(
      info.sources.map((s) => [s.kind, s.recordCount]),
      [
        ['alpine-secdb', PACKAGES * 2],
        ['debian-tracker', 1],
        ['nvd', RECORDS],
      ],
    );
    assert.equal(info.sources[2]?.feedDate, '2024-01-01T00:00:00.000Z');
  });
});

/** Returns the DatabaseError that opening `dir` throws. */
function openError(dir: string): DatabaseError {
  try {
    VulnerabilityStore.open(dir).close();
  } catch (error) {
    assert.ok(error instanceof DatabaseError, `expected DatabaseError, got ${String(error)}`);
    return error;
  }
  assert.fail(`opening ${dir} succeeded`);
}

describe('VulnerabilityStore.open errors', () => {
  test('missing database', () => {
    const empty = join(scratch, 'empty-cache');
    const error = openError(empty);
    assert.equal(error.code, 'DB_MISSING');
    assert.equal(error.path, databasePath(empty));
    assert.ok(error.message.includes(`not found at ${databasePath(empty)}`), error.message);
    assert.ok(error.message.includes('run "strata db build --source alpine-secdb=DIR --source nvd=DIR"'), error.message);
  });

  test('file that is not a database', async () => {
    const dir = join(scratch, 'garbage');
    await mkdir(join(dir, 'db'), { recursive: true });
    await writeFile(databasePath(dir), 'this is not SQLite, just text long enough to fill a header page');
    const error = openError(dir);
    assert.equal(error.code, 'DB_INVALID');
    assert.match(error.message, /cannot read the vulnerability database at .*file is not a database/);
    assert.match(error.message, /delete it and run "strata db build/);
  });

  test('schema version mismatch', async () => {
    const dir = join(scratch, 'old-schema');
    await mkdir(join(dir, 'db'), { recursive: true });
    const db = new Database(databasePath(dir));
    db.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '0');");
    db.close();
    const error = openError(dir);
    assert.equal(error.code, 'DB_INVALID');
    assert.ok(error.message.includes('has schema version 0, but this version of strata reads version 1'), error.message);
    assert.ok(error.message.includes('run "strata db build'), error.message);
  });

  test('SQLite file without meta table', async () => {
    const dir = join(scratch, 'no-meta');
    await mkdir(join(dir, 'db'), { recursive: true });
    const db = new Database(databasePath(dir));
    db.exec('CREATE TABLE other (x INTEGER)');
    db.close();
    const error = openError(dir);
    assert.equal(error.code, 'DB_INVALID');
    assert.match(error.message, /no such table: meta/);
  });
});
