import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FeedError } from '../../errors.js';
import { silentLogger } from '../../log.js';
import { sharedPath, skipUnlessShared } from '../../test-support/shared.js';
import type { VulnerabilityDetail } from '../../types.js';
import type { FeedSummary } from './feed.js';
import { readNvd } from './nvd.js';

const RECORDS = 'feeds/nvd-records';

async function readAll(path: string): Promise<{ details: Map<string, VulnerabilityDetail>; summary: FeedSummary }> {
  const details = new Map<string, VulnerabilityDetail>();
  const reader = readNvd(path, silentLogger);
  let step = await reader.next();
  while (step.done !== true) {
    if (step.value.type === 'detail') details.set(step.value.detail.id, step.value.detail);
    step = await reader.next();
  }
  return { details, summary: step.value };
}

let scratch: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'strata-nvd-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('readNvd real records', skipUnlessShared(RECORDS), () => {
  let details: Map<string, VulnerabilityDetail>;
  let summary: FeedSummary;
  before(async () => {
    ({ details, summary } = await readAll(sharedPath(RECORDS)));
  });

  test('every file read', () => {
    assert.equal(details.size, 34);
    assert.equal(summary.filesRead, 34);
  });

  test('feed date is newest lastModified', () => {
    // CVE-2023-0286 has the newest lastModified of the set.
    assert.equal(summary.feedDate?.toISOString(), '2023-11-07T04:00:05.973Z');
  });

  test('CVE-2018-0734 fields', () => {
    const detail = details.get('CVE-2018-0734');
    assert.ok(detail !== undefined);
    assert.deepEqual(detail.cvss, {
      nvd: { V2Vector: 'AV:N/AC:M/Au:N/C:P/I:N/A:N', V2Score: 4.3, V3Vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', V3Score: 5.9 },
    });
    assert.equal(detail.severity, 'MEDIUM');
    assert.match(detail.description ?? '', /^The OpenSSL DSA signature algorithm has been shown/);
    assert.equal(detail.publishedDate, '2018-10-30T12:29:00.257Z');
    assert.equal(detail.lastModifiedDate, '2023-11-07T02:51:05.217Z');
    assert.equal(detail.references.length, 29);
    assert.equal(detail.references[0], 'http://lists.opensuse.org/opensuse-security-announce/2019-06/msg00030.html');
    assert.equal(detail.source, 'nvd');
    assert.equal(detail.title, undefined);
  });

  test('v3.0 only record', () => {
    const detail = details.get('CVE-2018-20679');
    assert.equal(detail?.cvss['nvd']?.V3Vector, 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N');
    assert.equal(detail?.cvss['nvd']?.V3Score, 7.5);
    assert.equal(detail?.severity, 'HIGH');
  });

  test('record without v2', () => {
    const detail = details.get('CVE-2022-37434');
    assert.deepEqual(detail?.cvss, { nvd: { V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V3Score: 9.8 } });
    assert.equal(detail?.severity, 'CRITICAL');
    assert.equal(detail?.publishedDate, '2022-08-05T07:15:07.240Z');
  });

  test('v3.1 severity beats v2', () => {
    // CVE-2019-1563: v3.1 3.7 LOW, v2 4.3 MEDIUM.
    assert.equal(details.get('CVE-2019-1563')?.severity, 'LOW');
  });

  test('single file path', async () => {
    const { details: one, summary: oneSummary } = await readAll(sharedPath(RECORDS, 'CVE-2019-14697.json'));
    assert.deepEqual([...one.keys()], ['CVE-2019-14697']);
    assert.equal(oneSummary.feedDate?.toISOString(), '2023-03-03T17:43:22.227Z');
  });
});

function metric(type: string, version: string, vector: string, score: number, severity: string): Record<string, unknown> {
  return { source: type === 'Primary' ? 'nvd@nist.gov' : 'cna@example.org', type, cvssData: { version, vectorString: vector, baseScore: score, baseSeverity: severity } };
}

function cve(id: string, metrics: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    published: '2024-01-02T03:04:05.678',
    lastModified: '2024-02-03T04:05:06.789',
    descriptions: [
      { lang: 'es', value: 'descripción' },
      { lang: 'en', value: `description of ${id}` },
    ],
    metrics,
    references: [{ url: 'https://example.org/a' }, { url: 'https://example.org/a' }, { url: 'https://example.org/b' }],
    ...extra,
  };
}

const V40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';

describe('readNvd generated records', () => {
  test('API response with several shapes of metrics', async () => {
    const dir = join(scratch, 'api');
    await mkdir(join(dir, 'nested'), { recursive: true });
    const response = {
      resultsPerPage: 4,
      format: 'NVD_CVE',
      version: '2.0',
      vulnerabilities: [
        { cve: cve('CVE-2024-0001', { cvssMetricV40: [metric('Secondary', '4.0', V40, 9.3, 'CRITICAL')] }) },
        {
          cve: cve('CVE-2024-0002', {
            cvssMetricV31: [metric('Secondary', '3.1', 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N', 3.3, 'LOW'), metric('Primary', '3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'CRITICAL')],
            cvssMetricV40: [metric('Secondary', '4.0', V40, 9.3, 'CRITICAL')],
          }),
        },
        {
          cve: cve('CVE-2024-0003', {
            cvssMetricV31: [metric('Primary', '3.1', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0, 'NONE')],
            cvssMetricV2: [{ source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '2.0', vectorString: 'AV:N/AC:L/Au:N/C:N/I:N/A:N', baseScore: 0 }, baseSeverity: 'LOW' }],
          }),
        },
        { cve: cve('CVE-2024-0004', {}, { vulnStatus: 'Rejected', descriptions: [] }) },
      ],
    };
    await writeFile(join(dir, 'nested', 'page-0.json'), JSON.stringify(response));
    await writeFile(join(dir, 'wrapped.json'), JSON.stringify({ cve: cve('CVE-2024-0005', {}, { lastModified: '2024-06-07T08:09:10.111' }) }));
    await writeFile(join(dir, 'notes.txt'), 'not read');

    const { details, summary } = await readAll(dir);
    assert.equal(summary.filesRead, 2);
    assert.equal(summary.feedDate?.toISOString(), '2024-06-07T08:09:10.111Z');

    const v40Only = details.get('CVE-2024-0001');
    assert.deepEqual(v40Only?.cvss, { nvd: { V40Vector: V40, V40Score: 9.3 } });
    assert.equal(v40Only?.severity, 'CRITICAL');
    assert.equal(v40Only?.description, 'description of CVE-2024-0001');
    assert.deepEqual(v40Only?.references, ['https://example.org/a', 'https://example.org/b']);
    assert.equal(v40Only?.publishedDate, '2024-01-02T03:04:05.678Z');

    const primaryFirst = details.get('CVE-2024-0002');
    assert.equal(primaryFirst?.cvss['nvd']?.V3Score, 9.8);
    assert.equal(primaryFirst?.severity, 'CRITICAL');
    assert.equal(primaryFirst?.cvss['nvd']?.V40Score, 9.3);

    // CVSS severity NONE is not a Strata severity, so the v2 severity is used.
    assert.equal(details.get('CVE-2024-0003')?.severity, 'LOW');

    const rejected = details.get('CVE-2024-0004');
    assert.deepEqual(rejected?.cvss, {});
    assert.equal(rejected?.severity, undefined);
    assert.equal(rejected?.description, undefined);

    assert.ok(details.has('CVE-2024-0005'));
  });
});

describe('readNvd broken input', () => {
  const record = JSON.stringify(cve('CVE-2024-0001', {}));
  const CASES: { name: string; content: string; message: RegExp }[] = [
    { name: 'invalid JSON', content: '{"id": "CVE-2024-0001",', message: /invalid JSON/ },
    { name: 'top-level list', content: `[${record}]`, message: /expected a JSON object, got a list/ },
    { name: 'NVD 1.1 feed', content: '{"CVE_data_type": "CVE", "CVE_Items": []}', message: /retired NVD 1\.1 data feed format/ },
    { name: 'unknown object', content: '{"hello": 1}', message: /no "vulnerabilities", "cve" or "id" found/ },
    { name: 'vulnerabilities not a list', content: '{"vulnerabilities": {}}', message: /"vulnerabilities" must be a list/ },
    { name: 'record without id', content: '{"vulnerabilities": [{"cve": {"published": "2024-01-01T00:00:00"}}]}', message: /vulnerabilities\[0\]\.cve: "id" must be a non-empty string/ },
    { name: 'metrics a list', content: '{"id": "CVE-2024-0001", "metrics": []}', message: /\(CVE-2024-0001\): "metrics" must be an object/ },
    { name: 'metric not a list', content: '{"id": "CVE-2024-0001", "metrics": {"cvssMetricV31": {}}}', message: /metrics\.cvssMetricV31: expected a list/ },
    { name: 'descriptions an object', content: '{"id": "CVE-2024-0001", "descriptions": {}}', message: /"descriptions" must be a list/ },
    { name: 'bad timestamp', content: '{"id": "CVE-2024-0001", "lastModified": "yesterday"}', message: /lastModified: invalid timestamp string "yesterday"/ },
  ];
  for (const { name, content, message } of CASES) {
    test(name, async () => {
      const dir = join(scratch, `broken-${name.replace(/\W+/g, '-')}`);
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'record.json');
      await writeFile(path, content);
      const error = await readAll(dir).catch((caught: unknown) => caught);
      assert.ok(error instanceof FeedError, `expected FeedError, got ${String(error)}`);
      assert.equal(error.path, path);
      assert.equal(error.feed, 'nvd');
      assert.match(error.message, message);
    });
  }

  test('directory without json files', async () => {
    const dir = join(scratch, 'empty');
    await mkdir(dir, { recursive: true });
    const error = await readAll(dir).catch((caught: unknown) => caught);
    assert.ok(error instanceof FeedError);
    assert.equal(error.path, dir);
    assert.match(error.message, /no \.json files found/);
  });

  test('missing directory', async () => {
    const dir = join(scratch, 'missing');
    const error = await readAll(dir).catch((caught: unknown) => caught);
    assert.ok(error instanceof FeedError);
    assert.equal(error.path, dir);
    assert.match(error.message, /ENOENT/);
  });
});
