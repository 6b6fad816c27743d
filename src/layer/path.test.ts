import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { normalizeEntryPath, parseWhiteout, type Whiteout } from './path.js';

describe('normalizeEntryPath', () => {
  const cases: readonly [name: string, expected: string | null][] = [
    ['etc/os-release', 'etc/os-release'],
    ['./etc/os-release', 'etc/os-release'],
    ['/etc/os-release', 'etc/os-release'],
    ['//etc//./os-release', 'etc/os-release'],
    ['usr/share/doc/', 'usr/share/doc'],
    ['./', ''],
    ['.', ''],
    ['usr/../etc/os-release', 'etc/os-release'],
    ['../etc/passwd', null],
    ['a/../../etc/passwd', null],
    ['/../etc/passwd', null],
    ['..', null],
    ['a/..b/c', 'a/..b/c'],
  ];

  for (const [name, expected] of cases) {
    test(`path ${JSON.stringify(name)}`, () => {
      assert.equal(normalizeEntryPath(name), expected);
    });
  }
});

describe('parseWhiteout', () => {
  const cases: readonly [path: string, expected: Whiteout | null][] = [
    ['etc/.wh.motd', { kind: 'file', path: 'etc/motd' }],
    ['.wh.rootfile', { kind: 'file', path: 'rootfile' }],
    ['var/lib/dpkg/info/.wh.curl.list', { kind: 'file', path: 'var/lib/dpkg/info/curl.list' }],
    ['opt/app/.wh..wh..opq', { kind: 'opaque', dir: 'opt/app' }],
    ['.wh..wh..opq', { kind: 'opaque', dir: '' }],
    ['.wh..wh.plnk', { kind: 'metadata' }],
    ['.wh..wh.aufs', { kind: 'metadata' }],
    ['etc/.wh.', { kind: 'metadata' }],
    ['etc/motd', null],
    ['etc/.whatever', null],
    ['etc/.wh.d/file', null],
  ];

  for (const [path, expected] of cases) {
    test(`whiteout ${JSON.stringify(path)}`, () => {
      assert.deepEqual(parseWhiteout(path), expected);
    });
  }
});
