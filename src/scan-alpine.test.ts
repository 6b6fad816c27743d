/**
 * Alpine end to end: images built here from real `lib/apk/db/installed` files, scanned against a
 * database built from the real Alpine secdb and NVD records.
 */

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { buildDatabase } from './db/build.js';
import { scanImage } from './scan.js';
import { writeOCILayout } from './test-support/image-builder.js';
import { sharedPath, skipUnlessShared } from './test-support/shared.js';

interface AlpineCase {
  readonly database: string;
  /** Release files written beside the database. */
  readonly releaseFiles: Readonly<Record<string, string>>;
  readonly os: { family: string; name: string };
  /** Package → vulnerability IDs, worked out by hand from the secdb release (see the comment of each case). */
  readonly expected: Readonly<Record<string, readonly string[]>>;
  /** Coverage gap kinds the scan must report. */
  readonly gaps: readonly string[];
}

const OPENSSL_102H_R1 = [
  // v3.4 main.json secfixes of openssl with a fixed version above 1.0.2h-r1; CVE-2017-3738 is
  // listed under both 1.0.2n-r0 and 1.0.2o-r0 and counts once.
  'CVE-2016-2179', 'CVE-2016-2180', 'CVE-2016-2181', 'CVE-2016-2182', 'CVE-2016-2183', 'CVE-2016-6302',
  'CVE-2016-6303', 'CVE-2016-6304', 'CVE-2016-6306', 'CVE-2016-7052', 'CVE-2016-7055', 'CVE-2017-3731',
  'CVE-2017-3732', 'CVE-2017-3735', 'CVE-2017-3736', 'CVE-2017-3737', 'CVE-2017-3738', 'CVE-2018-0732',
  'CVE-2018-0733', 'CVE-2018-0734', 'CVE-2018-0737', 'CVE-2018-0739', 'CVE-2018-5407',
];

const CASES: Readonly<Record<string, AlpineCase>> = {
  // v3.10: busybox 1.30.1-r3 >= 1.30.1-r2, musl 1.1.22-r3 = 1.1.22-r3 and openssl 1.1.1d-r2 >= 1.1.1d-r0,
  // so every secfix is already installed.
  'alpine-3.10.4_lib-apk-db-installed': {
    database: 'alpine-3.10.4_lib-apk-db-installed',
    releaseFiles: { 'etc/os-release': 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.10.4\n', 'etc/alpine-release': '3.10.4\n' },
    os: { family: 'alpine', name: '3.10.4' },
    expected: {},
    gaps: [],
  },
  // v3.7: musl 1.1.18-r2 < 1.1.18-r4 (CVE-2019-14697); libressl 2.6.3-r0 < 2.6.5-r0 (CVE-2018-0495,
  // CVE-2018-0732); busybox 1.27.2-r7 >= 1.27.2-r4.
  'alpine-3.7.0_lib-apk-db-installed': {
    database: 'alpine-3.7.0_lib-apk-db-installed',
    releaseFiles: { 'etc/os-release': '' },
    os: { family: 'alpine', name: '3.7.0' },
    expected: {
      'libressl2.6-libcrypto': ['CVE-2018-0495', 'CVE-2018-0732'],
      'libressl2.6-libssl': ['CVE-2018-0495', 'CVE-2018-0732'],
      musl: ['CVE-2019-14697'],
      'musl-utils': ['CVE-2019-14697'],
    },
    gaps: [],
  },
  // v3.4 (musl 1.1.14 and openssl 1.0.2h are Alpine 3.4 packages): musl 1.1.14-r10 < r13 and < r16;
  // busybox 1.24.2-r9 < r12 and < r13 but >= r0; zlib 1.2.8-r2 < 1.2.11-r0; sqlite 3.26.0-r3 is newer
  // than both sqlite fixes.
  'trivy-apk_MODIFIED_lib-apk-db-installed': {
    database: 'trivy-apk_MODIFIED_lib-apk-db-installed',
    releaseFiles: { 'etc/os-release': 'ID=alpine\nVERSION_ID=3.4.6\n' },
    os: { family: 'alpine', name: '3.4.6' },
    expected: {
      busybox: ['CVE-2016-6301', 'CVE-2017-15873', 'CVE-2017-16544'],
      'libcrypto1.0': OPENSSL_102H_R1,
      'libssl1.0': OPENSSL_102H_R1,
      musl: ['CVE-2016-8859', 'CVE-2017-15650'],
      'musl-utils': ['CVE-2016-8859', 'CVE-2017-15650'],
      zlib: ['CVE-2016-9840', 'CVE-2016-9841', 'CVE-2016-9842', 'CVE-2016-9843'],
    },
    gaps: [],
  },
  // No secdb exists for 2.6, 3.16 or 3.18 in the feed, so the scan must report that it could not check them.
  'alpine-2.6.6_lib-apk-db-installed': {
    database: 'alpine-2.6.6_lib-apk-db-installed',
    releaseFiles: { 'etc/alpine-release': '' },
    os: { family: 'alpine', name: '2.6.6' },
    expected: {},
    gaps: ['no-advisories'],
  },
  'syft-multiple-2_lib-apk-db-installed': {
    database: 'syft-multiple-2_lib-apk-db-installed',
    releaseFiles: { 'etc/os-release': 'ID=alpine\nVERSION_ID=3.16.2\n' },
    os: { family: 'alpine', name: '3.16.2' },
    expected: {},
    gaps: ['no-advisories'],
  },
  'alpine-3.18_lib-apk-db-installed': {
    database: 'alpine-3.18_lib-apk-db-installed',
    releaseFiles: { 'etc/os-release': 'ID=alpine\nVERSION_ID=3.18.4\n' },
    os: { family: 'alpine', name: '3.18.4' },
    expected: {},
    gaps: ['no-advisories'],
  },
};

/** Release files given as '' are read from the shared copy of the same image. */
const SHARED_RELEASE_FILES: Readonly<Record<string, string>> = {
  'alpine-3.7.0_lib-apk-db-installed': 'alpine-3.7.0_etc-os-release',
  'alpine-2.6.6_lib-apk-db-installed': 'alpine-2.6.6_etc-alpine-release',
};

describe('alpine images from real apk databases', skipUnlessShared('pkgdb/alpine', 'feeds/alpine-secdb', 'feeds/nvd-records'), () => {
  let work: string;
  let databaseDir: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-alpine-'));
    databaseDir = join(work, 'cache');
    await buildDatabase({
      cacheDir: databaseDir,
      sources: [
        { kind: 'alpine-secdb', path: sharedPath('feeds/alpine-secdb') },
        { kind: 'nvd', path: sharedPath('feeds/nvd-records') },
      ],
      scannerVersion: 'test',
    });
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const [name, testCase] of Object.entries(CASES)) {
    it(`findings for ${name}`, async () => {
      const files = [{ path: 'lib/apk/db/installed', content: await readFile(sharedPath('pkgdb/alpine', testCase.database)) }];
      for (const [path, content] of Object.entries(testCase.releaseFiles)) {
        const shared = SHARED_RELEASE_FILES[name];
        files.push({ path, content: content === '' && shared !== undefined ? await readFile(sharedPath('pkgdb/alpine', shared)) : Buffer.from(content) });
      }
      const image = await writeOCILayout(join(work, name), [{ files, createdBy: 'ADD rootfs.tar /' }]);

      const result = await scanImage({ input: image.dir, databaseDir, cache: { cacheDir: '' } });

      assert.deepEqual(result.os && { family: result.os.family, name: result.os.name }, testCase.os);
      const found: Record<string, string[]> = {};
      for (const finding of result.findings) (found[finding.package.name] ??= []).push(finding.advisory.vulnerabilityID);
      for (const ids of Object.values(found)) ids.sort();
      assert.deepEqual(found, testCase.expected);
      assert.deepEqual(result.gaps.map((gap) => gap.kind), testCase.gaps);
      for (const finding of result.findings) assert.equal(finding.package.layer.diffID, image.diffIDs[0]);
    });
  }
});
