import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FeedError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import { sharedPath, skipUnlessShared } from '../../test-support/shared.js';
import type { Advisory, Severity, VulnerabilityDetail } from '../../types.js';
import { readDebianTracker, urgencySeverity } from './debian-tracker.js';

const SAMPLE = 'feeds/upstream-format-samples/tests/unit/providers/debian/test-fixtures/input/debian.json';

async function readAll(path: string): Promise<{ advisories: Advisory[]; details: VulnerabilityDetail[] }> {
  const advisories: Advisory[] = [];
  const details: VulnerabilityDetail[] = [];
  for await (const record of readDebianTracker(path, silentLogger)) {
    if (record.type === 'advisory') advisories.push(record.advisory);
    else details.push(record.detail);
  }
  return { advisories, details };
}

function find(advisories: readonly Advisory[], namespace: string, packageName: string, id: string): Advisory | undefined {
  const found = advisories.filter((a) => a.namespace === namespace && a.packageName === packageName && a.vulnerabilityID === id);
  assert.ok(found.length <= 1, `${found.length} advisories for ${namespace} ${packageName} ${id}`);
  return found[0];
}

let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'strata-debian-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function writeTracker(name: string, content: string): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, content);
  return path;
}

describe('readDebianTracker real sample', skipUnlessShared(SAMPLE), () => {
  let advisories: Advisory[];
  let details: VulnerabilityDetail[];
  before(async () => {
    ({ advisories, details } = await readAll(sharedPath(SAMPLE)));
  });

  // Expected values read by hand from the sample file.
  const ROWS: { namespace: string; pkg: string; id: string; expected: Omit<Advisory, 'vulnerabilityID' | 'source' | 'namespace' | 'packageName'> }[] = [
    { namespace: 'debian:buster', pkg: 'prototypejs', id: 'CVE-2008-7220', expected: { status: 'fixed', fixedVersion: '1.6.0.2-1', vendorSeverity: 'HIGH' } },
    { namespace: 'debian:stretch', pkg: 'txt2man', id: 'CVE-2013-1444', expected: { status: 'fixed', fixedVersion: '1.5.5-4.1', vendorSeverity: 'LOW' } },
    { namespace: 'debian:sid', pkg: 'backupninja', id: 'CVE-2005-3111', expected: { status: 'fixed', fixedVersion: '0.8-2', vendorSeverity: 'MEDIUM' } },
    {
      namespace: 'debian:bullseye',
      pkg: 'chromium',
      id: 'CVE-2022-0456',
      expected: { status: 'fixed', fixedVersion: '98.0.4758.80-1~deb11u1', vendorSeverity: 'UNKNOWN' },
    },
    { namespace: 'debian:buster', pkg: 'chromium', id: 'CVE-2022-0456', expected: { status: 'end_of_life', vendorSeverity: 'UNKNOWN' } },
    { namespace: 'debian:stretch', pkg: 'chromium', id: 'CVE-2022-0456', expected: { status: 'end_of_life', vendorSeverity: 'UNKNOWN' } },
    { namespace: 'debian:bookworm', pkg: 'sope', id: 'CVE-2025-53603', expected: { status: 'fixed', fixedVersion: '5.8.0-1+deb12u1', vendorSeverity: 'UNKNOWN' } },
    { namespace: 'debian:trixie', pkg: 'sope', id: 'CVE-2025-53603', expected: { status: 'fixed', fixedVersion: '5.12.1-2', vendorSeverity: 'UNKNOWN' } },
  ];
  for (const { namespace, pkg, id, expected } of ROWS) {
    test(`${namespace} ${pkg} ${id}`, () => {
      const advisory = find(advisories, namespace, pkg, id);
      assert.deepEqual(advisory, { vulnerabilityID: id, source: 'debian-tracker', namespace, packageName: pkg, ...expected });
    });
  }

  test('fixed_version 0 records nothing', () => {
    for (const codename of ['stretch', 'jessie', 'buster', 'sid']) {
      assert.equal(find(advisories, `debian:${codename}`, 'prototypejs', 'CVE-2007-2383'), undefined);
    }
  });

  test('empty releases list records nothing', () => {
    assert.deepEqual(advisories.filter((a) => a.packageName === 'chromium-browser'), []);
  });

  test('row count', () => {
    // 5 entries with 4 releases each, sope with 4, CVE-2007-2383's 4 not affected, chromium-browser none.
    assert.equal(advisories.length, 4 + 4 + 4 + 5 + 4);
  });

  test('descriptions become details', () => {
    const ids = details.map((d) => d.id).sort();
    // chromium and chromium-browser entries have no description.
    assert.deepEqual(ids, ['CVE-2005-3111', 'CVE-2007-2383', 'CVE-2008-7220', 'CVE-2013-1444', 'CVE-2025-53603']);
    const detail = details.find((d) => d.id === 'CVE-2013-1444');
    assert.equal(detail?.source, 'debian-tracker');
    assert.match(detail?.description ?? '', /^A certain Debian patch for txt2man 1\.5\.5/);
    assert.deepEqual(detail?.cvss, {});
  });
});

describe('readDebianTracker statuses', () => {
  // Hand-written in the tracker's shape: the sample has no open-with-nodsa or undetermined entries.
  const TRACKER = {
    openssl: {
      'CVE-2024-0001': {
        description: 'open, no nodsa',
        releases: { bookworm: { status: 'open', urgency: 'medium*', repositories: { bookworm: '3.0.11-1~deb12u2' } } },
      },
      'CVE-2024-0002': {
        releases: { bookworm: { status: 'open', urgency: 'low', nodsa: 'Minor issue', nodsa_reason: 'postponed', repositories: {} } },
      },
      'CVE-2024-0003': {
        releases: { bookworm: { status: 'open', urgency: 'unimportant', nodsa: 'Minor issue', nodsa_reason: 'ignored', repositories: {} } },
      },
      'CVE-2024-0004': {
        releases: { bookworm: { status: 'open', urgency: 'high', nodsa: 'Minor issue', nodsa_reason: '', repositories: {} } },
      },
      'TEMP-0000000-ABCDEF': {
        description: 'temporary ID',
        releases: { bookworm: { status: 'undetermined', urgency: 'not yet assigned', repositories: {} } },
      },
      'DSA-5000-1': {
        releases: { bookworm: { status: 'resolved', fixed_version: '3.0.11-1~deb12u1', urgency: 'high**', repositories: {} } },
      },
      'CVE-2024-0005': {
        releases: { bookworm: { status: 'resolved', urgency: 'low', repositories: {} }, trixie: { status: 'unheard-of', repositories: {} } },
      },
    },
  };

  const EXPECTED: { id: string; status: Advisory['status']; severity: Severity; fixed?: string }[] = [
    { id: 'CVE-2024-0001', status: 'affected', severity: 'MEDIUM' },
    { id: 'CVE-2024-0002', status: 'fix_deferred', severity: 'LOW' },
    { id: 'CVE-2024-0003', status: 'will_not_fix', severity: 'LOW' },
    { id: 'CVE-2024-0004', status: 'affected', severity: 'HIGH' },
    { id: 'TEMP-0000000-ABCDEF', status: 'affected', severity: 'UNKNOWN' },
    { id: 'DSA-5000-1', status: 'fixed', severity: 'HIGH', fixed: '3.0.11-1~deb12u1' },
    // Resolved without a fixed version: nothing can clear it, so it stays affected.
    { id: 'CVE-2024-0005', status: 'affected', severity: 'LOW' },
  ];

  let advisories: Advisory[];
  let details: VulnerabilityDetail[];
  before(async () => {
    ({ advisories, details } = await readAll(await writeTracker('statuses.json', JSON.stringify(TRACKER))));
  });

  for (const { id, status, severity, fixed } of EXPECTED) {
    test(`${id} is ${status}`, () => {
      const advisory = find(advisories, 'debian:bookworm', 'openssl', id);
      assert.equal(advisory?.status, status);
      assert.equal(advisory?.vendorSeverity, severity);
      assert.equal(advisory?.fixedVersion, fixed);
    });
  }

  test('unknown status skipped', () => {
    assert.equal(find(advisories, 'debian:trixie', 'openssl', 'CVE-2024-0005'), undefined);
    assert.equal(advisories.length, EXPECTED.length);
  });

  test('TEMP IDs keep their details', () => {
    assert.deepEqual(details.map((d) => d.id), ['CVE-2024-0001', 'TEMP-0000000-ABCDEF']);
  });
});

describe('urgencySeverity', () => {
  const CASES: [string, Severity][] = [
    ['unimportant', 'LOW'],
    ['low', 'LOW'],
    ['low**', 'LOW'],
    ['medium', 'MEDIUM'],
    ['medium*', 'MEDIUM'],
    ['high', 'HIGH'],
    ['high**', 'HIGH'],
    ['not yet assigned', 'UNKNOWN'],
    ['end-of-life', 'UNKNOWN'],
    ['critical?', 'UNKNOWN'],
  ];
  for (const [urgency, severity] of CASES) {
    test(`urgency ${urgency}`, () => {
      assert.equal(urgencySeverity(urgency), severity);
    });
  }
});

describe('readDebianTracker broken input', () => {
  const CASES: { name: string; content: string; message: RegExp }[] = [
    { name: 'invalid JSON', content: '{"openssl": {"CVE-1": }', message: /invalid JSON/ },
    { name: 'top-level list', content: '[{"openssl": {}}]', message: /top level must be an object/ },
    { name: 'package not an object', content: '{"openssl": ["CVE-1"]}', message: /package "openssl": expected an object keyed by vulnerability ID, got a list/ },
    { name: 'entry not an object', content: '{"openssl": {"CVE-1": "open"}}', message: /package "openssl" CVE-1: expected an object/ },
    { name: 'releases a string', content: '{"openssl": {"CVE-1": {"releases": "bookworm"}}}', message: /"releases" must be an object/ },
    { name: 'release not an object', content: '{"openssl": {"CVE-1": {"releases": {"bookworm": 1}}}}', message: /CVE-1 bookworm: expected an object, got number 1/ },
    { name: 'status not a string', content: '{"openssl": {"CVE-1": {"releases": {"bookworm": {"status": 2}}}}}', message: /"status" must be a string/ },
    { name: 'truncated file', content: '{"openssl": {"CVE-1": {}}', message: /unexpected end of file/ },
  ];
  for (const { name, content, message } of CASES) {
    test(name, async () => {
      const path = await writeTracker(`broken-${name.replace(/\W+/g, '-')}.json`, content);
      const error = await readAll(path).catch((caught: unknown) => caught);
      assert.ok(error instanceof FeedError, `expected FeedError, got ${String(error)}`);
      assert.equal(error.path, path);
      assert.equal(error.feed, 'debian-tracker');
      assert.match(error.message, message);
    });
  }

  test('missing file', async () => {
    const path = join(scratch, 'missing.json');
    const error = await readAll(path).catch((caught: unknown) => caught);
    assert.ok(error instanceof FeedError);
    assert.equal(error.path, path);
    assert.match(error.message, /check the --source debian-tracker=.*missing\.json value/);
  });

  test('directory instead of file', async () => {
    const error = await readAll(scratch).catch((caught: unknown) => caught);
    assert.ok(error instanceof FeedError);
    assert.match(error.message, /not a file/);
  });
});
