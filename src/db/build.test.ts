import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { FeedError, StrataError } from '../errors.js';
import { sharedPath, skipUnlessShared } from '../test-support/shared.js';
import { buildDatabase, type FeedSource, parseSourceArgument } from './build.js';
import { databasePath } from './paths.js';
import { SCHEMA_VERSION } from './schema.js';
import { type DatabaseInfo, VulnerabilityStore } from './store.js';

const SECDB = 'feeds/alpine-secdb';
const TRACKER = 'feeds/upstream-format-samples/tests/unit/providers/debian/test-fixtures/input/debian.json';
const NVD = 'feeds/nvd-records';
const NOW = new Date('2026-01-02T03:04:05.000Z');

let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'strata-build-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function newCacheDir(name: string): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Writes a one-package secdb tree, enough for builds whose content does not matter. */
async function smallSecdb(name: string): Promise<string> {
  const root = join(scratch, name);
  await mkdir(join(root, 'v3.15'), { recursive: true });
  const file = { distroversion: 'v3.15', packages: [{ pkg: { name: 'demo', secfixes: { '1.0-r1': ['CVE-2020-0001'] } } }] };
  await writeFile(join(root, 'v3.15', 'main.json'), JSON.stringify(file));
  return root;
}

async function newestMtime(paths: readonly string[]): Promise<string> {
  const times = await Promise.all(paths.map(async (path) => (await stat(path)).mtime.getTime()));
  return new Date(Math.max(...times)).toISOString();
}

describe('buildDatabase real feeds', skipUnlessShared(SECDB, TRACKER, NVD), () => {
  let cacheDir: string;
  let info: DatabaseInfo;
  let store: VulnerabilityStore;
  before(async () => {
    cacheDir = await newCacheDir('real');
    const sources: FeedSource[] = [
      { kind: 'alpine-secdb', path: sharedPath(SECDB) },
      { kind: 'debian-tracker', path: sharedPath(TRACKER) },
      { kind: 'nvd', path: sharedPath(NVD) },
    ];
    info = await buildDatabase({ cacheDir, sources, scannerVersion: '9.8.7', now: NOW });
    store = VulnerabilityStore.open(cacheDir);
  });
  after(() => store.close());

  test('info describes the build', () => {
    assert.equal(info.path, databasePath(cacheDir));
    assert.equal(info.schemaVersion, SCHEMA_VERSION);
    assert.equal(info.builtAt, NOW.toISOString());
    assert.equal(info.scannerVersion, '9.8.7');
    assert.deepEqual(
      info.sources.map((s) => [s.name, s.kind, s.path, s.builtAt]),
      [
        ['alpine-secdb', 'alpine-secdb', sharedPath(SECDB), NOW.toISOString()],
        ['debian-tracker', 'debian-tracker', sharedPath(TRACKER), NOW.toISOString()],
        ['nvd', 'nvd', sharedPath(NVD), NOW.toISOString()],
      ],
    );
    assert.deepEqual(store.info(), info);
  });

  test('feed dates', async () => {
    const secdbFiles = [];
    for (const release of await readdir(sharedPath(SECDB))) {
      if (!release.startsWith('v')) continue;
      for (const file of ['main.json', 'community.json']) secdbFiles.push(sharedPath(SECDB, release, file));
    }
    assert.equal(info.sources[0]?.feedDate, await newestMtime(secdbFiles));
    assert.equal(info.sources[1]?.feedDate, await newestMtime([sharedPath(TRACKER)]));
    assert.equal(info.sources[2]?.feedDate, '2023-11-07T04:00:05.973Z');
  });

  test('record counts match rows', () => {
    const db = new Database(info.path, { readonly: true });
    try {
      const count = (sql: string, ...params: string[]): number => (db.prepare(sql).get(...params) as { n: number }).n;
      assert.equal(info.sources[0]?.recordCount, count("SELECT count(*) AS n FROM advisories WHERE source = 'alpine-secdb'"));
      const debianRows = count("SELECT count(*) AS n FROM advisories WHERE source = 'debian-tracker'") + count("SELECT count(*) AS n FROM vulnerabilities WHERE source = 'debian-tracker'");
      assert.equal(info.sources[1]?.recordCount, debianRows);
      assert.equal(info.sources[2]?.recordCount, 34);
    } finally {
      db.close();
    }
  });

  test('every row keeps its feed date', () => {
    const db = new Database(info.path, { readonly: true });
    try {
      for (const source of info.sources) {
        const advisories = db.prepare('SELECT DISTINCT feed_date FROM advisories WHERE source = ?').pluck().all(source.name);
        const details = db.prepare('SELECT DISTINCT feed_date FROM vulnerabilities WHERE source = ?').pluck().all(source.name);
        for (const date of [...advisories, ...details]) assert.equal(date, source.feedDate, source.name);
      }
    } finally {
      db.close();
    }
  });

  test('alpine advisory with NVD detail', () => {
    const musl = store.advisoriesFor('alpine:3.10', ['musl']).find((a) => a.vulnerabilityID === 'CVE-2019-14697');
    assert.deepEqual(musl, { vulnerabilityID: 'CVE-2019-14697', source: 'alpine-secdb', namespace: 'alpine:3.10', packageName: 'musl', fixedVersion: '1.1.22-r3', status: 'fixed' });

    const detail = store.details(['CVE-2019-14697']).get('CVE-2019-14697');
    assert.equal(detail?.source, 'nvd');
    assert.equal(detail?.severity, 'CRITICAL');
    assert.equal(detail?.cvss['nvd']?.V3Vector, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H');
    assert.equal(detail?.cvss['nvd']?.V2Score, 7.5);
  });

  test('debian advisories and details', () => {
    const chromium = store.advisoriesFor('debian:buster', ['chromium']);
    assert.deepEqual(chromium, [
      { vulnerabilityID: 'CVE-2022-0456', source: 'debian-tracker', namespace: 'debian:buster', packageName: 'chromium', status: 'end_of_life', vendorSeverity: 'UNKNOWN' },
    ]);
    const detail = store.details(['CVE-2008-7220']).get('CVE-2008-7220');
    assert.equal(detail?.source, 'debian-tracker');
    assert.match(detail?.description ?? '', /^Unspecified vulnerability in Prototype JavaScript framework/);
  });

  test('no temporary file left', async () => {
    assert.deepEqual(await readdir(join(cacheDir, 'db')), ['strata.db']);
  });
});

describe('buildDatabase detail precedence', skipUnlessShared(NVD), () => {
  // The tracker describes CVE-2019-14697 too; NVD's detail must win whichever feed comes first.
  const tracker = {
    musl: {
      'CVE-2019-14697': {
        description: 'tracker text',
        releases: { buster: { status: 'resolved', fixed_version: '1.1.21-1', urgency: 'low', repositories: {} } },
      },
    },
  };
  for (const order of ['tracker first', 'nvd first']) {
    test(`NVD wins, ${order}`, async () => {
      const cacheDir = await newCacheDir(`precedence-${order.replace(' ', '-')}`);
      const trackerPath = join(cacheDir, 'tracker.json');
      await writeFile(trackerPath, JSON.stringify(tracker));
      const debian: FeedSource = { kind: 'debian-tracker', path: trackerPath };
      const nvd: FeedSource = { kind: 'nvd', path: sharedPath(NVD, 'CVE-2019-14697.json') };

      const info = await buildDatabase({ cacheDir, sources: order === 'nvd first' ? [nvd, debian] : [debian, nvd], scannerVersion: 'x', now: NOW });
      const store = VulnerabilityStore.open(cacheDir);
      try {
        const detail = store.details(['CVE-2019-14697']).get('CVE-2019-14697');
        assert.equal(detail?.source, 'nvd');
        assert.match(detail?.description ?? '', /musl libc/);
        assert.equal(store.advisoriesFor('debian:buster', ['musl']).length, 1);
        // The tracker's detail row was not written, so its count contains the advisory only.
        assert.equal(info.sources.find((s) => s.kind === 'debian-tracker')?.recordCount, order === 'nvd first' ? 1 : 2);
      } finally {
        store.close();
      }
    });
  }
});

describe('buildDatabase failures', () => {
  test('failed build keeps old database', async () => {
    const cacheDir = await newCacheDir('keep-old');
    const good = await smallSecdb('keep-old-secdb');
    const before = await buildDatabase({ cacheDir, sources: [{ kind: 'alpine-secdb', path: good }], scannerVersion: 'old', now: NOW });
    const bytesBefore = await readFile(databasePath(cacheDir));

    const brokenNvd = join(scratch, 'keep-old-nvd');
    await mkdir(brokenNvd, { recursive: true });
    await writeFile(join(brokenNvd, 'CVE-2024-0001.json'), '{"id": ');
    const failure = await buildDatabase({
      cacheDir,
      sources: [
        { kind: 'alpine-secdb', path: good },
        { kind: 'nvd', path: brokenNvd },
      ],
      scannerVersion: 'new',
    }).catch((caught: unknown) => caught);

    assert.ok(failure instanceof FeedError, `expected FeedError, got ${String(failure)}`);
    assert.equal(failure.path, join(brokenNvd, 'CVE-2024-0001.json'));
    assert.deepEqual(await readdir(join(cacheDir, 'db')), ['strata.db']);
    assert.deepEqual(await readFile(databasePath(cacheDir)), bytesBefore);

    const store = VulnerabilityStore.open(cacheDir);
    try {
      assert.deepEqual(store.info(), before);
      assert.equal(store.countAdvisories('alpine:3.15'), 1);
    } finally {
      store.close();
    }
  });

  test('failed first build leaves nothing', async () => {
    const cacheDir = await newCacheDir('first-fails');
    const broken = join(scratch, 'first-fails-tracker.json');
    await writeFile(broken, '{"openssl": [}');
    await assert.rejects(buildDatabase({ cacheDir, sources: [{ kind: 'debian-tracker', path: broken }], scannerVersion: 'x' }), FeedError);
    assert.deepEqual(await readdir(join(cacheDir, 'db')), []);
  });

  test('missing path names the source', async () => {
    const cacheDir = await newCacheDir('missing-path');
    const missing = join(scratch, 'no-such-nvd');
    const error = await buildDatabase({ cacheDir, sources: [{ kind: 'nvd', path: missing }], scannerVersion: 'x' }).catch((caught: unknown) => caught);
    assert.ok(error instanceof FeedError);
    assert.equal(error.path, missing);
    assert.ok(error.message.includes(`--source nvd=${missing}`), error.message);
  });

  test('unknown kind names the source', async () => {
    const cacheDir = await newCacheDir('unknown-kind');
    const sources = [{ kind: 'ubuntu', path: '/x' }] as unknown as FeedSource[];
    const error = await buildDatabase({ cacheDir, sources, scannerVersion: 'x' }).catch((caught: unknown) => caught);
    assert.ok(error instanceof StrataError);
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, /--source ubuntu=\/x: unknown feed kind "ubuntu"; use one of alpine-secdb, debian-tracker, nvd/);
  });

  test('no sources rejected', async () => {
    const error = await buildDatabase({ cacheDir: await newCacheDir('no-sources'), sources: [], scannerVersion: 'x' }).catch((caught: unknown) => caught);
    assert.ok(error instanceof StrataError);
    assert.equal(error.code, 'INVALID_ARGUMENT');
    assert.match(error.message, /pass at least one --source KIND=PATH/);
  });

  test('repeated source rejected', async () => {
    const secdb = await smallSecdb('repeated-secdb');
    const sources: FeedSource[] = [
      { kind: 'alpine-secdb', path: secdb },
      { kind: 'alpine-secdb', path: `${secdb}/` },
    ];
    const error = await buildDatabase({ cacheDir: await newCacheDir('repeated'), sources, scannerVersion: 'x' }).catch((caught: unknown) => caught);
    assert.ok(error instanceof StrataError);
    assert.match(error.message, /is given twice/);
  });

  test('stale temporary files removed', async () => {
    const cacheDir = await newCacheDir('stale-temp');
    const dbDir = join(cacheDir, 'db');
    await mkdir(dbDir, { recursive: true });
    const stale = join(dbDir, 'strata.db.tmp-1234-aaaaaaaaaaaa');
    const recent = join(dbDir, 'strata.db.tmp-5678-bbbbbbbbbbbb');
    const unrelated = join(dbDir, 'notes.tmp-1');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const path of [stale, recent, unrelated]) await writeFile(path, 'partial');
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    await utimes(unrelated, twoHoursAgo, twoHoursAgo);

    await buildDatabase({ cacheDir, sources: [{ kind: 'alpine-secdb', path: await smallSecdb('stale-temp-secdb') }], scannerVersion: 'x' });

    // The recent one may belong to a build that is still running.
    assert.deepEqual((await readdir(dbDir)).sort(), ['notes.tmp-1', 'strata.db', 'strata.db.tmp-5678-bbbbbbbbbbbb']);
  });

  test('cache directory created', async () => {
    const cacheDir = join(scratch, 'created', 'deeper');
    const info = await buildDatabase({ cacheDir, sources: [{ kind: 'alpine-secdb', path: await smallSecdb('created-secdb') }], scannerVersion: 'x' });
    assert.equal(info.path, join(cacheDir, 'db', 'strata.db'));
    assert.equal(info.sources[0]?.recordCount, 1);
  });
});

describe('parseSourceArgument', () => {
  const VALID: [string, FeedSource][] = [
    ['alpine-secdb=/data/secdb', { kind: 'alpine-secdb', path: '/data/secdb' }],
    ['debian-tracker=./tracker.json', { kind: 'debian-tracker', path: './tracker.json' }],
    ['nvd=dir=with=equals', { kind: 'nvd', path: 'dir=with=equals' }],
  ];
  for (const [text, expected] of VALID) {
    test(`parses ${text}`, () => {
      assert.deepEqual(parseSourceArgument(text), expected);
    });
  }

  const INVALID: [string, RegExp][] = [
    ['debian=/x', /invalid --source "debian=\/x": unknown feed kind "debian"; expected KIND=PATH with KIND one of alpine-secdb, debian-tracker, nvd/],
    ['nvd', /invalid --source "nvd": the path is missing; expected nvd=PATH/],
    ['nvd=', /the path is missing/],
    ['=/x', /unknown feed kind ""/],
  ];
  for (const [text, message] of INVALID) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseSourceArgument(text),
        (error: unknown) => {
          assert.ok(error instanceof StrataError);
          assert.equal(error.code, 'INVALID_ARGUMENT');
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});
