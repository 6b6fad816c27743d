import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { sharedPath, skipUnlessShared } from '../test-support/shared.js';
import type { Package, PackageDatabase, Unknown } from '../types.js';
import { dpkgAnalyzer, isDpkgDatabase } from './dpkg.js';

async function analyze(path: string, text: string): Promise<{ database: PackageDatabase; unknowns: readonly Unknown[] }> {
  const result = await dpkgAnalyzer.analyze({ path, content: Buffer.from(text) });
  const database = result?.packageDatabases?.[0];
  assert.ok(database !== undefined, 'the dpkg analyzer returned no database');
  return { database, unknowns: result?.unknowns ?? [] };
}

function row(pkg: Package): string {
  return [pkg.name, pkg.version, pkg.arch, pkg.srcName, pkg.srcVersion].join('\t');
}

/** Reads a `package version arch source source_version` table with a header line. */
function expectedRows(path: string): string[] {
  return readFileSync(path, 'utf8').trim().split('\n').slice(1).sort();
}

function hasDpkgQuery(): boolean {
  try {
    execFileSync('dpkg-query', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Lists the installed packages of a status file with dpkg's own parser, independently of ours. */
function dpkgQueryRows(statusFile: string): string[] {
  const admin = mkdtempSync(join(tmpdir(), 'strata-dpkg-'));
  try {
    symlinkSync(statusFile, join(admin, 'status'));
    mkdirSync(join(admin, 'info'));
    mkdirSync(join(admin, 'updates'));
    const format = '${db:Status-Status}\t${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n';
    const output = execFileSync('dpkg-query', [`--admindir=${admin}`, '-W', `-f=${format}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return output
      .split('\n')
      .filter((line) => line.startsWith('installed\t'))
      .map((line) => line.slice('installed\t'.length))
      .sort();
  } finally {
    rmSync(admin, { recursive: true, force: true });
  }
}

describe('isDpkgDatabase', () => {
  const cases: readonly [path: string, expected: boolean][] = [
    ['var/lib/dpkg/status', true],
    ['var/lib/dpkg/status.d/libc6', true],
    ['var/lib/dpkg/status.d/libpython3.11-minimal', true],
    ['var/lib/dpkg/status.d/libc6.md5sums', false],
    ['var/lib/dpkg/status.d/libsqlite3-0.preinst', false],
    ['var/lib/dpkg/status.d/base-files.conffiles', false],
    ['var/lib/dpkg/status.d/.hidden', false],
    ['var/lib/dpkg/status.d/', false],
    ['var/lib/dpkg/status.d/sub/pkg', false],
    ['var/lib/dpkg/status-old', false],
    ['var/lib/dpkg/available', false],
    ['usr/var/lib/dpkg/status', false],
  ];

  for (const [path, expected] of cases) {
    test(path, () => {
      assert.equal(isDpkgDatabase(path), expected);
      assert.equal(dpkgAnalyzer.required(path, { size: 100, mode: 0o644 }), expected);
    });
  }
});

describe('dpkg real status files', () => {
  const KNOWN_ANSWERS: readonly [fixture: string, expected: string][] = [
    ['debian/debian-12-bookworm-minbase-amd64_var-lib-dpkg-status', 'images/debian-bookworm-minbase/expected-dpkg.tsv'],
    ['debian/debian-12-bookworm-multilayer-final-amd64_var-lib-dpkg-status', 'images/debian-bookworm-multilayer/expected-dpkg.tsv'],
    ['debian/debian-12-bookworm-custom-arm64_var-lib-dpkg-status', 'images/multiplatform/expected-dpkg-linux-arm64.tsv'],
  ];

  for (const [fixture, expected] of KNOWN_ANSWERS) {
    test(fixture.split('/')[1] ?? fixture, skipUnlessShared(`pkgdb/${fixture}`, expected), async () => {
      const { database, unknowns } = await analyze('var/lib/dpkg/status', readFileSync(sharedPath('pkgdb', fixture), 'utf8'));

      assert.deepEqual(database.packages.map(row).sort(), expectedRows(sharedPath(expected)));
      assert.deepEqual(unknowns, []);
      assert.equal(database.path, 'var/lib/dpkg/status');
      assert.equal(database.type, 'dpkg');
    });
  }

  // Installed counts from `dpkg-query --admindir=DIR -W -f='${db:Status-Status}\n' | grep -c '^installed$'`.
  const COUNTS: readonly [fixture: string, installed: number][] = [
    ['ubuntu/ubuntu-10.04_var-lib-dpkg-status', 140],
    ['ubuntu/ubuntu-18.04_var-lib-dpkg-status', 90],
    ['ubuntu/ubuntu-18.04-texlive_var-lib-dpkg-status', 357],
    ['debian/debian-12-bookworm-minbase-amd64_var-lib-dpkg-status', 88],
  ];

  for (const [fixture, installed] of COUNTS) {
    test(`${fixture.split('/')[1] ?? fixture} count`, skipUnlessShared(`pkgdb/${fixture}`), async () => {
      const { database, unknowns } = await analyze('var/lib/dpkg/status', readFileSync(sharedPath('pkgdb', fixture), 'utf8'));

      assert.equal(database.packages.length, installed);
      assert.deepEqual(unknowns, []);
    });
  }

  for (const [fixture] of COUNTS) {
    const skip = !hasDpkgQuery() ? { skip: 'dpkg-query is not installed' } : skipUnlessShared(`pkgdb/${fixture}`);
    test(`${fixture.split('/')[1] ?? fixture} matches dpkg-query`, skip, async () => {
      const path = sharedPath('pkgdb', fixture);
      const { database } = await analyze('var/lib/dpkg/status', readFileSync(path, 'utf8'));

      assert.deepEqual(database.packages.map(row).sort(), dpkgQueryRows(path));
    });
  }

  // Values read by hand from the files.
  const PACKAGES: readonly [fixture: string, expected: Package][] = [
    [
      'ubuntu/ubuntu-10.04_var-lib-dpkg-status',
      {
        name: 'bsdutils',
        version: '1:2.17.2-0ubuntu1',
        arch: 'amd64',
        srcName: 'util-linux',
        srcVersion: '2.17.2-0ubuntu1',
        maintainer: 'Ubuntu Core Developers <ubuntu-devel-discuss@lists.ubuntu.com>',
      },
    ],
    [
      'ubuntu/ubuntu-18.04_var-lib-dpkg-status',
      { name: 'libc6', version: '2.27-3ubuntu1', arch: 'amd64', srcName: 'glibc', srcVersion: '2.27-3ubuntu1', maintainer: 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>' },
    ],
    [
      'ubuntu/ubuntu-18.04-texlive_var-lib-dpkg-status',
      {
        name: 'texlive-base',
        version: '2017.20180305-1',
        arch: 'all',
        srcName: 'texlive-base',
        srcVersion: '2017.20180305-1',
        maintainer: 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>',
      },
    ],
  ];

  for (const [fixture, expected] of PACKAGES) {
    test(`${expected.name} in ${fixture.split('/')[0] ?? fixture}`, skipUnlessShared(`pkgdb/${fixture}`), async () => {
      const { database } = await analyze('var/lib/dpkg/status', readFileSync(sharedPath('pkgdb', fixture), 'utf8'));

      assert.deepEqual(database.packages.find((pkg) => pkg.name === expected.name), expected);
    });
  }

  test('config-files stanza left out', skipUnlessShared('pkgdb/ubuntu/ubuntu-18.04_var-lib-dpkg-status'), async () => {
    // The file ends with `git`, whose Status is `deinstall ok config-files`.
    const { database } = await analyze('var/lib/dpkg/status', readFileSync(sharedPath('pkgdb', 'ubuntu', 'ubuntu-18.04_var-lib-dpkg-status'), 'utf8'));

    assert.equal(database.packages.some((pkg) => pkg.name === 'git'), false);
  });
});

describe('dpkg status.d files', () => {
  test('distroless-style layer', skipUnlessShared('pkgdb/distroless/debian12-distroless-style-amd64', 'images/distroless-style/expected-dpkg.tsv'), async () => {
    const dir = sharedPath('pkgdb', 'distroless', 'debian12-distroless-style-amd64', 'var', 'lib', 'dpkg', 'status.d');
    const rows: string[] = [];
    for (const name of readdirSync(dir)) {
      const path = `var/lib/dpkg/status.d/${name}`;
      if (!dpkgAnalyzer.required(path, { size: 1, mode: 0o644 })) continue;
      const { database, unknowns } = await analyze(path, readFileSync(join(dir, name), 'utf8'));
      assert.deepEqual(unknowns, []);
      assert.equal(database.path, path);
      rows.push(...database.packages.map(row));
    }

    assert.deepEqual(rows.sort(), expectedRows(sharedPath('images', 'distroless-style', 'expected-dpkg.tsv')));
  });

  test('syft Debian 11 file', skipUnlessShared('pkgdb/distroless/syft-debian11-arm64'), async () => {
    const file = sharedPath('pkgdb', 'distroless', 'syft-debian11-arm64', 'var', 'lib', 'dpkg', 'status.d', 'libsqlite3-0');
    const { database } = await analyze('var/lib/dpkg/status.d/libsqlite3-0', readFileSync(file, 'utf8'));

    // Values read by hand from the file.
    assert.deepEqual(database.packages, [
      { name: 'libsqlite3-0', version: '3.34.1-3', arch: 'arm64', srcName: 'sqlite3', srcVersion: '3.34.1-3', maintainer: 'Laszlo Boszormenyi (GCS) <gcs@debian.org>' },
    ]);
  });
});

describe('dpkg stanzas', () => {
  const cases: readonly [name: string, text: string, names: string[], unknown?: RegExp][] = [
    ['install ok installed', 'Package: a\nStatus: install ok installed\nVersion: 1\n', ['a']],
    ['hold ok installed', 'Package: a\nStatus: hold ok installed\nVersion: 1\n', ['a']],
    ['deinstall ok config-files', 'Package: a\nStatus: deinstall ok config-files\nVersion: 1\n', []],
    ['install ok unpacked', 'Package: a\nStatus: install ok unpacked\nVersion: 1\n', ['a']],
    ['install ok half-configured', 'Package: a\nStatus: install ok half-configured\nVersion: 1\n', ['a']],
    ['install reinstreq half-installed', 'Package: a\nStatus: install reinstreq half-installed\nVersion: 1\n', ['a']],
    ['install ok triggers-pending', 'Package: a\nStatus: install ok triggers-pending\nVersion: 1\n', ['a']],
    ['not-installed without version', 'Package: a\nStatus: purge ok not-installed\n', []],
    ['no Status in status.d', 'Package: a\nVersion: 1\n', ['a']],
    ['no Package', 'Status: install ok installed\nVersion: 1\n', [], /stanza at line 1 skipped: no Package field/],
    ['no Version', 'Package: a\nStatus: install ok installed\n', [], /package "a" at line 1 skipped: no Version field/],
    ['malformed line', 'Package: a\nVersion: 1\ngarbage\n\nPackage: b\nVersion: 2\n', ['b'], /package "a" at line 1 skipped: line 3: expected "Field: value"/],
    ['binary junk', '\u0000\u0001\u0002', [], /expected "Field: value"/],
    ['empty file', '', []],
  ];

  for (const [name, text, names, unknown] of cases) {
    test(name, async () => {
      const { database, unknowns } = await analyze('var/lib/dpkg/status', text);

      assert.deepEqual(database.packages.map((pkg) => pkg.name), names);
      if (unknown === undefined) {
        assert.deepEqual(unknowns, []);
      } else {
        assert.equal(unknowns.length, 1);
        assert.equal(unknowns[0]?.path, 'var/lib/dpkg/status');
        assert.match(unknowns[0]?.reason ?? '', unknown);
      }
    });
  }

  const sources: readonly [source: string | undefined, srcName: string, srcVersion: string][] = [
    [undefined, 'libssl3', '3.0.15-1'],
    ['openssl', 'openssl', '3.0.15-1'],
    ['openssl (3.0.15-1~deb12u1)', 'openssl', '3.0.15-1~deb12u1'],
    ['util-linux (2.17.2-0ubuntu1) ', 'util-linux', '2.17.2-0ubuntu1'],
  ];

  for (const [source, srcName, srcVersion] of sources) {
    test(`source ${String(source)}`, async () => {
      const sourceLine = source === undefined ? '' : `Source: ${source}\n`;
      const { database } = await analyze('var/lib/dpkg/status', `Package: libssl3\n${sourceLine}Version: 3.0.15-1\n`);

      assert.equal(database.packages[0]?.srcName, srcName);
      assert.equal(database.packages[0]?.srcVersion, srcVersion);
    });
  }
});
