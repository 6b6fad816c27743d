import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { sharedPath, skipUnlessShared } from '../test-support/shared.js';
import type { Package, PackageDatabase, Unknown } from '../types.js';
import { apkAnalyzer, splitLicenses } from './apk.js';

const PATH = 'lib/apk/db/installed';

async function analyze(text: string): Promise<{ database: PackageDatabase; unknowns: readonly Unknown[] }> {
  const result = await apkAnalyzer.analyze({ path: PATH, content: Buffer.from(text) });
  const database = result?.packageDatabases?.[0];
  assert.ok(database !== undefined, 'the apk analyzer returned no database');
  return { database, unknowns: result?.unknowns ?? [] };
}

describe('apkAnalyzer required', () => {
  const cases: readonly [path: string, expected: boolean][] = [
    [PATH, true],
    ['lib/apk/db/installed.old', false],
    ['lib/apk/db/scripts.tar', false],
    ['usr/lib/apk/db/installed', false],
  ];

  for (const [path, expected] of cases) {
    test(path, () => {
      assert.equal(apkAnalyzer.required(path, { size: 100, mode: 0o644 }), expected);
    });
  }
});

describe('apk real databases', () => {
  // Counts of `P:` lines (`grep -c '^P:' FILE`), less one in the modified file, whose stanza of
  // `invalidPackageWithoutAVersion` has no `V:` line. Sample packages were read by hand from each file.
  const CASES: readonly [fixture: string, count: number, sample: Package, unknown?: RegExp][] = [
    [
      'alpine-2.6.6_lib-apk-db-installed',
      13,
      { name: 'busybox', version: '1.21.1-r2', arch: 'x86_64', srcName: 'busybox', srcVersion: '1.21.1-r2', licenses: ['GPL-2'], maintainer: 'Natanael Copa <ncopa@alpinelinux.org>' },
    ],
    [
      'alpine-3.7.0_lib-apk-db-installed',
      11,
      { name: 'musl', version: '1.1.18-r2', arch: 'x86_64', srcName: 'musl', srcVersion: '1.1.18-r2', licenses: ['MIT'], maintainer: 'Timo Teräs <timo.teras@iki.fi>' },
    ],
    [
      'alpine-3.10.4_lib-apk-db-installed',
      14,
      { name: 'libcrypto1.1', version: '1.1.1d-r2', arch: 'x86_64', srcName: 'openssl', srcVersion: '1.1.1d-r2', licenses: ['OpenSSL'], maintainer: 'Timo Teras <timo.teras@iki.fi>' },
    ],
    [
      'alpine-3.18_lib-apk-db-installed',
      15,
      { name: 'ssl_client', version: '1.36.0-r9', arch: 'x86_64', srcName: 'busybox', srcVersion: '1.36.0-r9', licenses: ['GPL-2.0-only'], maintainer: 'Sören Tempel <soeren+alpine@soeren-tempel.net>' },
    ],
    [
      'syft-multiple-2_lib-apk-db-installed',
      14,
      { name: 'musl', version: '1.2.3-r0', arch: 'x86_64', srcName: 'musl', srcVersion: '1.2.3-r0', licenses: ['MIT'], maintainer: 'Timo Teräs <timo.teras@iki.fi>' },
    ],
    [
      'trivy-apk_MODIFIED_lib-apk-db-installed',
      15,
      { name: 'musl', version: '1.1.14-r10', arch: 'x86_64', srcName: 'musl', srcVersion: '1.1.14-r10', licenses: ['MIT'], maintainer: 'Timo Teräs <timo.teras@iki.fi>' },
      /package "invalidPackageWithoutAVersion" at line \d+ skipped: no V: \(version\) line/,
    ],
  ];

  for (const [fixture, count, sample, unknown] of CASES) {
    test(fixture, skipUnlessShared(`pkgdb/alpine/${fixture}`), async () => {
      const { database, unknowns } = await analyze(readFileSync(sharedPath('pkgdb', 'alpine', fixture), 'utf8'));

      assert.equal(database.packages.length, count);
      assert.deepEqual(database.packages.find((pkg) => pkg.name === sample.name), sample);
      assert.equal(database.path, PATH);
      assert.equal(database.type, 'apk');
      if (unknown === undefined) {
        assert.deepEqual(unknowns, []);
      } else {
        assert.equal(unknowns.length, 1);
        assert.match(unknowns[0]?.reason ?? '', unknown);
      }
    });
  }
});

describe('apk stanzas', () => {
  const cases: readonly [name: string, text: string, names: string[], unknown?: RegExp][] = [
    ['origin differs from name', 'P:libcrypto3\nV:3.1.4-r0\no:openssl\n', ['libcrypto3']],
    ['no trailing newline', 'P:a\nV:1', ['a']],
    ['CRLF line ends', 'P:a\r\nV:1\r\n\r\nP:b\r\nV:2\r\n', ['a', 'b']],
    ['several blank lines', '\n\nP:a\nV:1\n\n\n\nP:b\nV:2\n\n', ['a', 'b']],
    ['no name', 'V:1\nA:x86_64\n', [], /stanza at line 1 skipped: no P: \(name\) line/],
    ['no version', 'P:a\nA:x86_64\n\nP:b\nV:2\n', ['b'], /package "a" at line 1 skipped: no V: \(version\) line/],
    ['malformed line', 'P:a\nV:1\nnot a field\n', [], /package "a" at line 1 skipped: line 3: expected "K:value"/],
    ['long key', 'P:a\nV:1\nPkg:x\n', [], /line 3: expected "K:value"/],
    ['empty file', '', []],
  ];

  for (const [name, text, names, unknown] of cases) {
    test(name, async () => {
      const { database, unknowns } = await analyze(text);

      assert.deepEqual(database.packages.map((pkg) => pkg.name), names);
      if (unknown === undefined) {
        assert.deepEqual(unknowns, []);
      } else {
        assert.equal(unknowns.length, 1);
        assert.equal(unknowns[0]?.path, PATH);
        assert.match(unknowns[0]?.reason ?? '', unknown);
      }
    });
  }

  test('origin and fields', async () => {
    const { database } = await analyze('P:libcrypto3\nV:3.1.4-r0\nA:aarch64\nL:Apache-2.0\no:openssl\nm:Ariadne <a@example.org>\nF:lib\nR:libcrypto.so.3\n');

    assert.deepEqual(database.packages, [
      { name: 'libcrypto3', version: '3.1.4-r0', arch: 'aarch64', srcName: 'openssl', srcVersion: '3.1.4-r0', licenses: ['Apache-2.0'], maintainer: 'Ariadne <a@example.org>' },
    ]);
  });

  test('empty origin falls back to the name', async () => {
    const { database } = await analyze('P:a\nV:1\no:\n');

    assert.equal(database.packages[0]?.srcName, 'a');
  });
});

describe('splitLicenses', () => {
  const cases: readonly [value: string, expected: string[]][] = [
    ['MIT', ['MIT']],
    ['MIT BSD GPL2+', ['MIT', 'BSD', 'GPL2+']],
    ['MPL-2.0 AND MIT', ['MPL-2.0', 'MIT']],
    ['( Apache-2.0 OR MIT ) AND MPL-2.0', ['Apache-2.0', 'MIT', 'MPL-2.0']],
    ['GPL-2.0-only WITH Linux-syscall-note', ['GPL-2.0-only WITH Linux-syscall-note']],
    ['custom:zlib', ['custom:zlib']],
    ['', []],
  ];

  for (const [value, expected] of cases) {
    test(JSON.stringify(value), () => {
      assert.deepEqual(splitLicenses(value), expected);
    });
  }
});
