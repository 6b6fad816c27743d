import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Analyzer } from '../analyzer/analyzer.js';
import { CacheError } from '../errors.js';
import { memoryLogger } from '../log.js';
import { startRedis, skipUnlessRedis, type RedisServer } from '../test-support/redis.js';
import type { LayerAnalysis } from '../types.js';
import { MemoryBackend, type CacheBackend } from './backend.js';
import { decodeEntry, encodeEntry } from './entry.js';
import { FileSystemBackend } from './fs-backend.js';
import { canonicalJSON, layerKey } from './key.js';
import { LayerCache } from './layer-cache.js';
import { openCacheBackend, parseDuration } from './open.js';
import { RedisBackend } from './redis-backend.js';

function analyzer(type: string, version: number, reads: readonly string[] = [`${type}/db`]): Analyzer {
  return { type, version, reads, required: () => false, analyze: () => null };
}

const DIFF_ID = `sha256:${'1'.repeat(64)}`;
const BLOB_DIGEST = `sha256:${'2'.repeat(64)}`;

function analysis(ran: Record<string, number>): LayerAnalysis {
  return {
    diffID: DIFF_ID,
    osFiles: { 'etc/alpine-release': '3.10.4\n' },
    packageDatabases: [{ type: 'apk', path: 'lib/apk/db/installed', packages: [{ name: 'musl', version: '1.1.22-r3', srcName: 'musl', srcVersion: '1.1.22-r3' }] }],
    whiteouts: [],
    opaqueDirs: [],
    unknowns: [],
    analyzers: ran,
  };
}

describe('cache keys', () => {
  it('canonical JSON sorts keys at every level', () => {
    assert.equal(canonicalJSON({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } }), '{"a":{"c":[3,{"e":5,"f":4}],"d":2},"b":1}');
  });

  it('layer key ignores analyzer order', () => {
    assert.equal(layerKey(DIFF_ID, { apk: 1, os: 1 }, {}), layerKey(DIFF_ID, { os: 1, apk: 1 }, {}));
  });

  it('layer key changes with a version', () => {
    assert.notEqual(layerKey(DIFF_ID, { apk: 1 }, {}), layerKey(DIFF_ID, { apk: 2 }, {}));
  });

  it('layer key changes with an option', () => {
    assert.notEqual(layerKey(DIFF_ID, { apk: 1 }, {}), layerKey(DIFF_ID, { apk: 1 }, { skipDirs: ['usr'] }));
  });
});

describe('cache entries', () => {
  it('round-trips a payload', () => {
    const decoded = decodeEntry('layer', encodeEntry('layer', { a: 1 }));
    assert.deepEqual(decoded.ok ? decoded.payload : undefined, { a: 1 });
  });

  const broken: { name: string; edit: (text: string) => string; reason: RegExp }[] = [
    { name: 'truncated', edit: (text) => text.slice(0, text.length / 2), reason: /not valid JSON/ },
    { name: 'edited payload', edit: (text) => text.replace('"a":1', '"a":2'), reason: /checksum mismatch/ },
    { name: 'other schema', edit: (text) => text.replace(/"schema":\d+/, '"schema":99'), reason: /schema version 99/ },
    { name: 'other kind', edit: (text) => text.replace('"kind":"layer"', '"kind":"config"'), reason: /kind config/ },
    { name: 'not an object', edit: () => '42', reason: /not a JSON object/ },
  ];
  for (const { name, edit, reason } of broken) {
    it(`rejects an entry: ${name}`, () => {
      const decoded = decodeEntry('layer', edit(encodeEntry('layer', { a: 1 })));
      assert.equal(decoded.ok, false);
      assert.match(decoded.ok ? '' : decoded.reason, reason);
    });
  }
});

describe('LayerCache', () => {
  const analyzers = [analyzer('os', 1), analyzer('apk', 1), analyzer('dpkg', 1)];

  it('returns what was stored', async () => {
    const cache = new LayerCache(new MemoryBackend(), analyzers, {}, memoryLogger().logger);
    await cache.putLayer(analysis({ os: 1, apk: 1 }), [BLOB_DIGEST]);
    assert.deepEqual((await cache.getLayer(DIFF_ID))?.analysis, analysis({ os: 1, apk: 1 }));
  });

  it('misses after a version bump of an analyzer that read files', async () => {
    const backend = new MemoryBackend();
    await new LayerCache(backend, analyzers, {}, memoryLogger().logger).putLayer(analysis({ os: 1, apk: 1 }), [BLOB_DIGEST]);
    const bumped = [analyzer('os', 1), analyzer('apk', 2), analyzer('dpkg', 1)];
    assert.equal(await new LayerCache(backend, bumped, {}, memoryLogger().logger).getLayer(DIFF_ID), undefined);
  });

  it('hits after a version bump of an analyzer that read nothing', async () => {
    const backend = new MemoryBackend();
    await new LayerCache(backend, analyzers, {}, memoryLogger().logger).putLayer(analysis({ os: 1, apk: 1 }), [BLOB_DIGEST]);
    const bumped = [analyzer('os', 1), analyzer('apk', 1), analyzer('dpkg', 2)];
    assert.notEqual(await new LayerCache(backend, bumped, {}, memoryLogger().logger).getLayer(DIFF_ID), undefined);
  });

  it('misses when an analyzer is added', async () => {
    const backend = new MemoryBackend();
    await new LayerCache(backend, analyzers, {}, memoryLogger().logger).putLayer(analysis({ os: 1, apk: 1 }), [BLOB_DIGEST]);
    const more = [...analyzers, analyzer('rpm', 1)];
    assert.equal(await new LayerCache(backend, more, {}, memoryLogger().logger).getLayer(DIFF_ID), undefined);
  });

  it('misses when an analyzer reads other paths', async () => {
    const backend = new MemoryBackend();
    await new LayerCache(backend, analyzers, {}, memoryLogger().logger).putLayer(analysis({ os: 1, apk: 1 }), [BLOB_DIGEST]);
    const wider = [analyzer('os', 1), analyzer('apk', 1), analyzer('dpkg', 1, ['dpkg/db', 'dpkg/db.d/*'])];
    assert.equal(await new LayerCache(backend, wider, {}, memoryLogger().logger).getLayer(DIFF_ID), undefined);
  });

  it('misses when an option changes', async () => {
    const backend = new MemoryBackend();
    await new LayerCache(backend, analyzers, {}, memoryLogger().logger).putLayer(analysis({ os: 1, apk: 1 }), [BLOB_DIGEST]);
    assert.equal(await new LayerCache(backend, analyzers, { skipDirs: ['usr'] }, memoryLogger().logger).getLayer(DIFF_ID), undefined);
  });

  it('returns the verified blob digests', async () => {
    const cache = new LayerCache(new MemoryBackend(), analyzers, {}, memoryLogger().logger);
    const other = `sha256:${'3'.repeat(64)}`;
    await cache.putLayer(analysis({ os: 1, apk: 1 }), [other, BLOB_DIGEST, other]);
    assert.deepEqual((await cache.getLayer(DIFF_ID))?.blobDigests, [BLOB_DIGEST, other]);
  });

  const wrongShapes: { name: string; edit: (payload: { analysis: Record<string, unknown>; blobDigests: unknown }) => void; reason: RegExp }[] = [
    { name: 'osFiles null', edit: (payload) => (payload.analysis.osFiles = null), reason: /osFiles/ },
    { name: 'whiteouts a number', edit: (payload) => (payload.analysis.whiteouts = 7), reason: /whiteouts/ },
    { name: 'package without a version', edit: (payload) => ((payload.analysis.packageDatabases as { packages: Record<string, unknown>[] }[])[0]!.packages[0]!.version = 1), reason: /lacks a name, version or source/ },
    { name: 'blob digests missing', edit: (payload) => (payload.blobDigests = undefined), reason: /blobDigests/ },
    { name: 'another diffID', edit: (payload) => (payload.analysis.diffID = 'sha256:' + '9'.repeat(64)), reason: /another layer/ },
  ];
  for (const { name, edit, reason } of wrongShapes) {
    it(`discards a checksummed entry: ${name}`, async () => {
      const backend = new MemoryBackend();
      const { logger, records } = memoryLogger();
      const cache = new LayerCache(backend, analyzers, {}, logger);
      await cache.putLayer(analysis({ os: 1, apk: 1 }), [BLOB_DIGEST]);

      // Re-encode an edited payload with a valid checksum, as a foreign writer could.
      const key = layerKey(DIFF_ID, { apk: 1, os: 1 }, {});
      const decoded = decodeEntry('layer', (await backend.get('layer', key)) ?? '');
      const payload = structuredClone(decoded.ok ? decoded.payload : undefined) as { analysis: Record<string, unknown>; blobDigests: unknown };
      edit(payload);
      await backend.set('layer', key, encodeEntry('layer', payload));

      assert.equal(await cache.getLayer(DIFF_ID), undefined);
      const warning = records.find((record) => record.message === 'cache entry discarded');
      assert.match(String(warning?.fields.reason), reason);
    });
  }

  it('discards a corrupt entry with a warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-cache-'));
    try {
      const backend = new FileSystemBackend(dir);
      const { logger, records } = memoryLogger();
      const cache = new LayerCache(backend, analyzers, {}, logger);
      await cache.putLayer(analysis({ os: 1, apk: 1 }), [BLOB_DIGEST]);

      const key = layerKey(DIFF_ID, { apk: 1, os: 1 }, {});
      const path = join(dir, 'layer', key.slice(0, 2), `${key}.json`);
      const text = await readFile(path, 'utf8');
      await writeFile(path, text.replace('1.1.22-r3', '9.9.99-r9'));

      assert.equal(await cache.getLayer(DIFF_ID), undefined);
      assert.ok(records.some((record) => record.level === 'warn' && record.message === 'cache entry discarded'));
      assert.equal(await backend.get('layer', key), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('FileSystemBackend', () => {
  it('leaves no temporary files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-cache-'));
    try {
      const backend = new FileSystemBackend(dir);
      const key = 'ab'.repeat(32);
      await Promise.all(Array.from({ length: 20 }, (_, i) => backend.set('layer', key, `value ${i}`)));
      assert.deepEqual(await readdir(join(dir, 'layer', 'ab')), [`${key}.json`]);
      assert.match((await backend.get('layer', key)) ?? '', /^value \d+$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects a key that is not hex', async () => {
    const backend = new FileSystemBackend(tmpdir());
    await assert.rejects(backend.set('layer', '../../etc/passwd', 'x'), /invalid cache key/);
  });
});

describe('cache settings', () => {
  it('parses durations', () => {
    assert.deepEqual(['90', '90s', '30m', '24h', '7d'].map(parseDuration), [90, 90, 1800, 86400, 604800]);
  });

  for (const text of ['', '0', '-5m', '1w', '1.5h', 'h']) {
    it(`rejects duration ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseDuration(text), /invalid duration/);
    });
  }

  for (const backend of ['fs', 'memory', 'redis://127.0.0.1:1']) {
    it(`empty cache dir turns ${backend} off`, async () => {
      assert.equal(await openCacheBackend({ cacheDir: '', backend }, memoryLogger().logger), undefined);
    });
  }

  it('rejects an unknown backend', async () => {
    await assert.rejects(openCacheBackend({ cacheDir: '/tmp', backend: 'memcached' }, memoryLogger().logger), /unknown cache backend "memcached"/);
  });
});

describe('RedisBackend', skipUnlessRedis(), () => {
  let server: RedisServer;
  let secured: RedisServer;
  before(async () => {
    server = await startRedis();
    secured = await startRedis({ password: 's3cret' });
  });
  after(async () => {
    await server?.stop();
    await secured?.stop();
  });

  it('stores, lists and clears entries', async () => {
    const backend: CacheBackend = await RedisBackend.connect(server.url);
    try {
      const cache = new LayerCache(backend, [analyzer('os', 1), analyzer('apk', 1)], {}, memoryLogger().logger);
      await cache.putLayer(analysis({ os: 1, apk: 1 }), [BLOB_DIGEST]);
      assert.deepEqual((await cache.getLayer(DIFF_ID))?.analysis, analysis({ os: 1, apk: 1 }));

      const kinds: string[] = [];
      for await (const entry of backend.list()) kinds.push(entry.kind);
      assert.deepEqual(kinds.sort(), ['layer', 'layer-index']);
      assert.equal(await backend.clear(), 2);
    } finally {
      await backend.close();
    }
  });

  it('sets the TTL on writes', async () => {
    const backend = await RedisBackend.connect(server.url, { ttlSeconds: 3600 });
    try {
      await backend.set('config', 'cd'.repeat(32), 'x');
      const { Redis } = await import('ioredis');
      const client = new Redis(server.url);
      const ttl = await client.ttl(`strata:config:${'cd'.repeat(32)}`);
      await client.quit();
      assert.ok(ttl > 3500, `ttl ${ttl}`);
      assert.ok(ttl <= 3600, `ttl ${ttl}`);
    } finally {
      await backend.close();
    }
  });

  it('rejects a wrong password without echoing it', async () => {
    const url = secured.url.replace('s3cret', 'wrong-pass');
    const error = await RedisBackend.connect(url).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof CacheError);
    assert.doesNotMatch(error.message, /wrong-pass/);
    assert.match(error.message, /--cache-fallback/);
  });

  it('reports a server that is down', async () => {
    const down = await startRedis();
    await down.stop();
    await assert.rejects(RedisBackend.connect(down.url), (error: unknown) => error instanceof CacheError && /cannot use the Redis cache/.test(error.message));
  });

  it('falls back to no cache when asked', async () => {
    const down = await startRedis();
    await down.stop();
    const { logger, records } = memoryLogger();
    assert.equal(await openCacheBackend({ cacheDir: tmpdir(), backend: down.url, fallback: true }, logger), undefined);
    assert.ok(records.some((record) => record.level === 'warn' && /Redis cache unavailable/.test(record.message)));
  });
});
