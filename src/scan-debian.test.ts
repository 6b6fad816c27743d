/**
 * Debian end to end: images built here with dpkg status files, matched against a database built
 * from a real sample of the Debian security tracker JSON.
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { buildDatabase } from './db/build.js';
import { scanImage } from './scan.js';
import { writeOCILayout } from './test-support/image-builder.js';
import { sharedPath, skipUnlessShared } from './test-support/shared.js';

const DEBIAN_SAMPLE = 'feeds/upstream-format-samples/tests/unit/providers/debian/test-fixtures/input/debian.json';

function stanza(name: string, version: string, source?: string): string {
  const lines = [`Package: ${name}`, 'Status: install ok installed', 'Architecture: amd64', `Version: ${version}`];
  if (source !== undefined) lines.push(`Source: ${source}`);
  return `${lines.join('\n')}\n`;
}

function osRelease(versionID: string, codename: string): string {
  return `PRETTY_NAME="Debian GNU/Linux ${versionID} (${codename})"\nID=debian\nVERSION_ID="${versionID}"\nVERSION_CODENAME=${codename}\n`;
}

interface Expected {
  readonly pkg: string;
  readonly id: string;
  readonly status: string;
  readonly fixed?: string;
  readonly severity: string;
}

/**
 * Each row was read off the tracker sample by hand: the release's status, fixed_version and
 * urgency for the package's source, compared with the installed source version.
 */
const CASES: { name: string; versionID: string; codename: string; packages: string[]; expected: Expected[] }[] = [
  {
    name: 'bookworm',
    versionID: '12',
    codename: 'bookworm',
    packages: [
      // sope: resolved in bookworm at 5.8.0-1+deb12u1, urgency "not yet assigned".
      stanza('libsope1', '5.8.0-1', 'sope'),
      // chromium: resolved at 98.0.4758.80-1, older than the installed 98.0.4758.102-1.
      stanza('chromium', '98.0.4758.102-1'),
    ],
    expected: [{ pkg: 'libsope1', id: 'CVE-2025-53603', status: 'fixed', fixed: '5.8.0-1+deb12u1', severity: 'UNKNOWN' }],
  },
  {
    name: 'buster',
    versionID: '10',
    codename: 'buster',
    packages: [
      // chromium: open in buster with urgency end-of-life.
      stanza('chromium', '89.0.4389.114-1~deb10u1'),
      // txt2man: resolved at 1.5.5-4.1 with urgency low**; 1.5.5-4 is older.
      stanza('txt2man', '1.5.5-4'),
      // prototypejs: CVE-2008-7220 fixed at 1.6.0.2-1 (older), CVE-2007-2383 resolved at 0 (never affected).
      stanza('libjs-prototype', '1.7.1-3', 'prototypejs'),
      // backupninja: resolved at 0.8-2, older than 1.1.0-2.
      stanza('backupninja', '1.1.0-2'),
    ],
    expected: [
      { pkg: 'chromium', id: 'CVE-2022-0456', status: 'end_of_life', severity: 'UNKNOWN' },
      { pkg: 'txt2man', id: 'CVE-2013-1444', status: 'fixed', fixed: '1.5.5-4.1', severity: 'LOW' },
    ],
  },
  {
    // chromium: open in stretch with urgency end-of-life, like buster.
    name: 'stretch without a fix',
    versionID: '9',
    codename: 'stretch',
    packages: [stanza('chromium', '73.0.3683.75-1~deb9u1')],
    expected: [{ pkg: 'chromium', id: 'CVE-2022-0456', status: 'end_of_life', severity: 'UNKNOWN' }],
  },
];

describe('debian images against the tracker sample', skipUnlessShared(DEBIAN_SAMPLE), () => {
  let work: string;
  let databaseDir: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-debian-'));
    databaseDir = join(work, 'cache');
    await buildDatabase({ cacheDir: databaseDir, sources: [{ kind: 'debian-tracker', path: sharedPath(DEBIAN_SAMPLE) }], scannerVersion: 'test' });
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const testCase of CASES) {
    it(`findings for ${testCase.name}`, async () => {
      const image = await writeOCILayout(join(work, testCase.name.replace(/\W+/g, '-')), [
        {
          files: [
            { path: 'etc/os-release', content: osRelease(testCase.versionID, testCase.codename) },
            { path: 'var/lib/dpkg/status', content: testCase.packages.join('\n') },
          ],
        },
      ]);

      const result = await scanImage({ input: image.dir, databaseDir, cache: { cacheDir: '' } });

      const found = result.findings.map((finding) => ({
        pkg: finding.package.name,
        id: finding.advisory.vulnerabilityID,
        status: finding.advisory.status,
        ...(finding.advisory.fixedVersion === undefined ? {} : { fixed: finding.advisory.fixedVersion }),
        severity: finding.severity,
      }));
      assert.deepEqual(found, testCase.expected);
      assert.deepEqual(result.gaps, []);
    });
  }
});
