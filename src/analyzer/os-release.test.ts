import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { osReleaseAnalyzer } from './os-release.js';

describe('osReleaseAnalyzer', () => {
  const small = { size: 200, mode: 0o644 };

  const wanted: readonly [path: string, size: number, expected: boolean][] = [
    ['etc/os-release', 200, true],
    ['usr/lib/os-release', 200, true],
    ['etc/alpine-release', 6, true],
    ['etc/debian_version', 5, true],
    ['etc/lsb-release', 100, true],
    ['etc/os-release', 10 * 1024 * 1024, false],
    ['etc/os-release.d/x', 200, false],
    ['usr/lib/os-release.bak', 200, false],
    ['etc/redhat-release', 200, false],
  ];

  for (const [path, size, expected] of wanted) {
    test(`required ${path} of ${size} bytes`, () => {
      assert.equal(osReleaseAnalyzer.required(path, { size, mode: 0o644 }), expected);
    });
  }

  test('content kept verbatim', async () => {
    const content = 'ID=alpine\r\nVERSION_ID=3.19.1\n\n# trailing comment\n';
    const result = await osReleaseAnalyzer.analyze({ path: 'etc/os-release', content: Buffer.from(content) });

    assert.deepEqual(result, { osFiles: { 'etc/os-release': content } });
    assert.equal(osReleaseAnalyzer.required('etc/os-release', small), true);
  });

  test('empty file kept', async () => {
    const result = await osReleaseAnalyzer.analyze({ path: 'etc/alpine-release', content: Buffer.alloc(0) });

    assert.deepEqual(result, { osFiles: { 'etc/alpine-release': '' } });
  });
});
