import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FeedError } from '../../errors.js';
import { memoryLogger, silentLogger } from '../../log.js';
import { sharedPath, skipUnlessShared } from '../../test-support/shared.js';
import type { Advisory } from '../../types.js';
import { readAlpineSecdb } from './alpine-secdb.js';
import type { FeedSummary } from './feed.js';

const SECDB = 'feeds/alpine-secdb';
const SAMPLE = 'feeds/alpine-secdb-3.19-3.20-sample';

async function readAll(path: string, logger = silentLogger): Promise<{ advisories: Advisory[]; summary: FeedSummary }> {
  const advisories: Advisory[] = [];
  const reader = readAlpineSecdb(path, logger);
  let step = await reader.next();
  while (step.done !== true) {
    if (step.value.type === 'advisory') advisories.push(step.value.advisory);
    step = await reader.next();
  }
  return { advisories, summary: step.value };
}

function find(advisories: readonly Advisory[], namespace: string, packageName: string, id: string): Advisory[] {
  return advisories.filter((a) => a.namespace === namespace && a.packageName === packageName && a.vulnerabilityID === id);
}

let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'strata-alpine-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function makeTree(name: string, files: Record<string, string>): Promise<string> {
  const root = join(scratch, name);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

describe('readAlpineSecdb real secdb', skipUnlessShared(SECDB), () => {
  let advisories: Advisory[];
  let summary: FeedSummary;
  before(async () => {
    ({ advisories, summary } = await readAll(sharedPath(SECDB)));
  });

  // Expected values read by hand from v3.N/{main,community}.json.
  const FIXED: { namespace: string; pkg: string; id: string; fixed: string }[] = [
    { namespace: 'alpine:3.10', pkg: 'musl', id: 'CVE-2019-14697', fixed: '1.1.22-r3' },
    { namespace: 'alpine:3.10', pkg: 'musl', id: 'CVE-2016-8859', fixed: '1.1.15-r4' },
    { namespace: 'alpine:3.10', pkg: 'openssl', id: 'CVE-2019-1547', fixed: '1.1.1d-r0' },
    // Listed under 1.30.1-r2 and 1.29.3-r10; the higher one is kept.
    { namespace: 'alpine:3.10', pkg: 'busybox', id: 'CVE-2019-5747', fixed: '1.30.1-r2' },
    { namespace: 'alpine:3.5', pkg: 'xen', id: 'CVE-2016-6258', fixed: '4.7.0-r0' },
    { namespace: 'alpine:3.5', pkg: 'xen', id: 'XSA-207', fixed: '4.7.1-r5' },
    { namespace: 'alpine:3.9', pkg: 'xen', id: 'XSA-284', fixed: '4.11.2-r0' },
    { namespace: 'alpine:3.11', pkg: 'tcpdump', id: 'CVE-2018-14881', fixed: '4.9.3-r0' },
    { namespace: 'alpine:3.9', pkg: 'ansible', id: 'CVE-2018-16859', fixed: '2.7.3-r0' },
    { namespace: 'alpine:3.8', pkg: 'openjdk7', id: 'CVE-2019-2426', fixed: '7.211.2.6.17-r0' },
    { namespace: 'alpine:3.5', pkg: 'rsync', id: 'CVE-2017-17434', fixed: '3.1.2-r3' },
    { namespace: 'alpine:3.5', pkg: 'wireshark', id: 'wnpa-sec-2017-18', fixed: '2.2.6-r0' },
  ];
  for (const { namespace, pkg, id, fixed } of FIXED) {
    test(`${namespace} ${pkg} ${id}`, () => {
      const found = find(advisories, namespace, pkg, id);
      assert.equal(found.length, 1);
      assert.equal(found[0]?.fixedVersion, fixed);
      assert.equal(found[0]?.status, 'fixed');
      assert.equal(found[0]?.source, 'alpine-secdb');
      assert.equal(found[0]?.vendorSeverity, undefined);
    });
  }

  test('version 0 records nothing', () => {
    // v3.8 main: db lists CVE-2016-0682 under "0".
    assert.deepEqual(find(advisories, 'alpine:3.8', 'db', 'CVE-2016-0682'), []);
  });

  test('aliases of a CVE record nothing', () => {
    assert.deepEqual(find(advisories, 'alpine:3.5', 'xen', 'XSA-182'), []);
    assert.deepEqual(find(advisories, 'alpine:3.5', 'sdl2_image', 'TALOS-2017-0488'), []);
  });

  test('every release is read', () => {
    const namespaces = new Set(advisories.map((a) => a.namespace));
    for (let minor = 3; minor <= 11; minor += 1) assert.ok(namespaces.has(`alpine:3.${minor}`), `alpine:3.${minor} missing`);
    assert.equal(namespaces.size, 9);
  });

  test('one advisory per package and ID', () => {
    const keys = advisories.map((a) => `${a.namespace} ${a.packageName} ${a.vulnerabilityID}`);
    assert.equal(new Set(keys).size, keys.length);
  });

  test('json files read, yaml twins skipped', () => {
    assert.equal(summary.filesRead, 18);
    assert.ok(summary.feedDate instanceof Date);
  });
});

describe('readAlpineSecdb duplicates', skipUnlessShared(SECDB), () => {
  test('logged at debug with counts', async () => {
    const { logger, records } = memoryLogger('debug');
    await readAll(sharedPath(SECDB), logger);

    const busybox = records.find((r) => r.message.startsWith('alpine duplicate ID') && r.fields['vulnerability'] === 'CVE-2019-5747' && r.fields['namespace'] === 'alpine:3.10');
    assert.ok(busybox !== undefined);
    assert.equal(busybox.fields['keptVersion'], '1.30.1-r2');
    assert.equal(busybox.fields['droppedVersion'], '1.29.3-r10');

    const summary = records.find((r) => r.message === 'alpine release read' && String(r.fields['path']).endsWith('v3.10'));
    const duplicates = records.filter((r) => r.message.startsWith('alpine duplicate ID') && r.fields['namespace'] === 'alpine:3.10');
    assert.ok(summary !== undefined);
    assert.equal(summary.fields['duplicates'], duplicates.length);
    assert.ok(duplicates.length > 0);
  });
});

describe('readAlpineSecdb yaml form', skipUnlessShared(SECDB), () => {
  test('yaml and json agree', async () => {
    // The repository ships each file in both forms with the same records. The files are copied
    // because the reader rejects symbolic links that lead out of the source directory.
    const yamlRoot = join(scratch, 'yaml-only', 'v3.10');
    const jsonRoot = join(scratch, 'json-only', 'v3.10');
    await mkdir(yamlRoot, { recursive: true });
    await mkdir(jsonRoot, { recursive: true });
    for (const repo of ['main', 'community']) {
      await copyFile(sharedPath(SECDB, 'v3.10', `${repo}.yaml`), join(yamlRoot, `${repo}.yaml`));
      await copyFile(sharedPath(SECDB, 'v3.10', `${repo}.json`), join(jsonRoot, `${repo}.json`));
    }

    const fromYaml = await readAll(join(scratch, 'yaml-only'));
    const fromJson = await readAll(join(scratch, 'json-only'));
    assert.ok(fromJson.advisories.length > 1000);
    assert.deepEqual(fromYaml.advisories, fromJson.advisories);
  });
});

describe('readAlpineSecdb vuln-list layout', skipUnlessShared(SAMPLE), () => {
  const FIXED: { namespace: string; pkg: string; id: string; fixed: string }[] = [
    { namespace: 'alpine:3.20', pkg: 'zlib', id: 'CVE-2018-25032', fixed: '1.2.11-r4' },
    { namespace: 'alpine:3.20', pkg: 'zlib', id: 'CVE-2022-37434', fixed: '1.2.12-r2' },
    { namespace: 'alpine:3.20', pkg: 'busybox', id: 'ALPINE-13661', fixed: '1.35.0-r7' },
    { namespace: 'alpine:3.19', pkg: 'openssl', id: 'CVE-2023-0286', fixed: '3.0.8-r0' },
  ];

  test('per-package files', async () => {
    const { advisories, summary } = await readAll(sharedPath(SAMPLE));
    for (const { namespace, pkg, id, fixed } of FIXED) {
      const found = find(advisories, namespace, pkg, id);
      assert.equal(found.length, 1, `${namespace} ${pkg} ${id}`);
      assert.equal(found[0]?.fixedVersion, fixed);
    }
    assert.equal(summary.filesRead, 6);
  });

  test('version 0 records nothing', async () => {
    const { advisories } = await readAll(sharedPath(SAMPLE));
    assert.deepEqual(find(advisories, 'alpine:3.20', 'zlib', 'CVE-2023-45853'), []);
    assert.deepEqual(find(advisories, 'alpine:3.20', 'zlib', 'CVE-2023-6992'), []);
  });

  test('root may be one release folder', async () => {
    const { advisories } = await readAll(sharedPath(SAMPLE, '3.20'));
    assert.deepEqual(new Set(advisories.map((a) => a.namespace)), new Set(['alpine:3.20']));
    assert.equal(find(advisories, 'alpine:3.20', 'zlib', 'CVE-2022-37434')[0]?.fixedVersion, '1.2.12-r2');
  });
});

describe('readAlpineSecdb generated trees', () => {
  const repoFile = (distroversion: string, secfixes: Record<string, string[]>): string =>
    JSON.stringify({ distroversion, reponame: 'main', packages: [{ pkg: { name: 'demo', secfixes } }] });

  test('json wins over yaml', async () => {
    const root = await makeTree('both-forms', {
      'v3.15/main.json': repoFile('v3.15', { '1.0-r1': ['CVE-2020-0001'] }),
      'v3.15/main.yaml': 'distroversion: v3.15\npackages:\n  - pkg:\n      name: demo\n      secfixes:\n        2.0-r0:\n          - CVE-2020-0002\n',
    });
    const { advisories } = await readAll(root);
    assert.deepEqual(advisories.map((a) => a.vulnerabilityID), ['CVE-2020-0001']);
  });

  test('yaml keeps version keys as text', async () => {
    const root = await makeTree('yaml-keys', {
      'v3.15/main.yaml': 'distroversion: v3.15\npackages:\n  - pkg:\n      name: demo\n      secfixes:\n        1.10:\n          - CVE-2020-0003\n        2.0-r0:\n',
    });
    const { advisories } = await readAll(root);
    assert.equal(advisories.length, 1);
    assert.equal(advisories[0]?.fixedVersion, '1.10');
  });

  test('distroversion wins over folder name', async () => {
    const root = await makeTree('distroversion', { 'v3.15/main.json': repoFile('v3.16', { '1.0-r1': ['CVE-2020-0004'] }) });
    const { advisories } = await readAll(root);
    assert.equal(advisories[0]?.namespace, 'alpine:3.16');
  });

  test('folder name when distroversion missing', async () => {
    const root = await makeTree('no-distroversion', {
      '3.17/main/demo.json': JSON.stringify({ name: 'demo', secfixes: { '1.0-r1': ['CVE-2020-0005'] } }),
    });
    const { advisories } = await readAll(root);
    assert.equal(advisories[0]?.namespace, 'alpine:3.17');
  });

  test('unfixed entry recorded as affected', async () => {
    const root = await makeTree('unfixed', { 'v3.15/main.json': repoFile('v3.15', { '1.0-r1': ['CVE-2018-1000500 (unfixed)', 'CVE-2020-0006'] }) });
    const { advisories } = await readAll(root);
    const unfixed = advisories.find((a) => a.vulnerabilityID === 'CVE-2018-1000500');
    assert.equal(unfixed?.status, 'affected');
    assert.equal(unfixed?.fixedVersion, undefined);
    assert.equal(advisories.find((a) => a.vulnerabilityID === 'CVE-2020-0006')?.fixedVersion, '1.0-r1');
  });

  test('feed date is the newest mtime', async () => {
    const root = await makeTree('mtime', {
      'v3.14/main.json': repoFile('v3.14', {}),
      'v3.15/main.json': repoFile('v3.15', {}),
    });
    const newest = new Date('2024-05-06T07:08:09.000Z');
    await utimes(join(root, 'v3.14/main.json'), new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    await utimes(join(root, 'v3.15/main.json'), newest, newest);
    const { summary } = await readAll(root);
    assert.equal(summary.feedDate?.toISOString(), newest.toISOString());
  });
});

describe('readAlpineSecdb broken input', () => {
  const CASES: { name: string; files: Record<string, string>; file: string; message: RegExp }[] = [
    { name: 'invalid JSON', files: { 'v3.15/main.json': '{"packages": [' }, file: 'v3.15/main.json', message: /invalid JSON/ },
    { name: 'invalid YAML', files: { 'v3.15/main.yaml': 'packages: [\n  - : :\n' }, file: 'v3.15/main.yaml', message: /invalid YAML/ },
    { name: 'top-level list', files: { 'v3.15/main.json': '[]' }, file: 'v3.15/main.json', message: /expected a JSON or YAML object, got a list/ },
    { name: 'packages not a list', files: { 'v3.15/main.json': '{"packages": 3}' }, file: 'v3.15/main.json', message: /"packages" must be a list, got number 3/ },
    { name: 'package without pkg', files: { 'v3.15/main.json': '{"packages": [{"name": "x"}]}' }, file: 'v3.15/main.json', message: /packages\[0\] must be an object with a "pkg" object/ },
    { name: 'package without name', files: { 'v3.15/main.json': '{"packages": [{"pkg": {"secfixes": {}}}]}' }, file: 'v3.15/main.json', message: /"name" must be a non-empty string/ },
    { name: 'secfixes a list', files: { 'v3.15/main.json': '{"packages": [{"pkg": {"name": "x", "secfixes": ["CVE-1"]}}]}' }, file: 'v3.15/main.json', message: /"secfixes" must be a map/ },
    { name: 'entry not a string', files: { 'v3.15/main.json': '{"packages": [{"pkg": {"name": "x", "secfixes": {"1-r0": [7]}}}]}' }, file: 'v3.15/main.json', message: /secfixes "1-r0"\[0\]: expected a string, got number 7/ },
    { name: 'unknown file shape', files: { 'v3.15/main.json': '{"reponame": "main"}' }, file: 'v3.15/main.json', message: /neither "packages" nor "name" found/ },
    { name: 'no release folders', files: { 'README.md': 'x' }, file: '', message: /no release folders such as v3\.20\/ or 3\.20\// },
  ];
  for (const { name, files, file, message } of CASES) {
    test(name, async () => {
      const root = await makeTree(`broken-${name.replace(/\W+/g, '-')}`, files);
      const error = await readAll(root).catch((caught: unknown) => caught);
      assert.ok(error instanceof FeedError, `expected FeedError, got ${String(error)}`);
      assert.equal(error.path, join(root, file));
      assert.equal(error.feed, 'alpine-secdb');
      assert.match(error.message, message);
    });
  }

  test('missing directory', async () => {
    const root = join(scratch, 'does-not-exist');
    const error = await readAll(root).catch((caught: unknown) => caught);
    assert.ok(error instanceof FeedError);
    assert.equal(error.path, root);
    assert.match(error.message, /cannot read it .*ENOENT.*check the --source alpine-secdb=.*does-not-exist value/);
  });

  test('file instead of directory', async () => {
    const root = await makeTree('plain-file', { 'main.json': '{}' });
    const error = await readAll(join(root, 'main.json')).catch((caught: unknown) => caught);
    assert.ok(error instanceof FeedError);
    assert.match(error.message, /not a directory/);
  });
});
