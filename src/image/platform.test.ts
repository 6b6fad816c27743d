import assert from 'node:assert/strict';
import { arch } from 'node:os';
import { describe, test } from 'node:test';

import { StrataError } from '../errors.js';
import { formatPlatform, hostPlatform, parsePlatform, platformMatches } from './platform.js';

describe('parsePlatform', () => {
  const valid: [string, string][] = [
    ['linux/amd64', 'linux/amd64'],
    ['linux/arm64/v8', 'linux/arm64/v8'],
    ['Linux/ARM64', 'linux/arm64'],
    [' linux/x86_64 ', 'linux/amd64'],
    ['linux/aarch64', 'linux/arm64'],
    ['windows/amd64', 'windows/amd64'],
    ['linux/arm/v7', 'linux/arm/v7'],
  ];
  for (const [text, expected] of valid) {
    test(`accepts ${text}`, () => {
      assert.equal(formatPlatform(parsePlatform(text)), expected);
    });
  }

  const invalid = ['', 'linux', 'linux/', '/amd64', 'linux/amd64/v8/extra', 'linux amd64', 'linux//amd64', 'linux/amd64/'];
  for (const text of invalid) {
    test(`rejects "${text}"`, () => {
      assert.throws(() => parsePlatform(text), (error: unknown) => {
        assert.ok(error instanceof StrataError);
        assert.equal(error.code, 'INVALID_ARGUMENT');
        assert.match(error.message, /expected os\/arch/);
        return true;
      });
    });
  }
});

describe('hostPlatform', () => {
  test('maps node arch', () => {
    const expected: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386' };
    const host = hostPlatform();
    assert.equal(host.architecture, expected[arch()] ?? host.architecture);
    assert.equal(host.os, process.platform === 'win32' ? 'windows' : 'linux');
  });

  test('arm64 host has variant v8', { skip: arch() !== 'arm64' && 'host is not arm64' }, () => {
    assert.equal(hostPlatform().variant, 'v8');
  });
});

describe('platformMatches', () => {
  const cases: [string, string, boolean][] = [
    ['linux/amd64', 'linux/amd64', true],
    ['linux/amd64', 'linux/arm64', false],
    ['linux/amd64', 'windows/amd64', false],
    ['linux/arm64', 'linux/arm64/v8', true],
    ['linux/arm64/v8', 'linux/arm64', true],
    ['linux/arm64/v8', 'linux/arm64/v8', true],
    ['linux/arm64/v9', 'linux/arm64', false],
    ['linux/arm/v7', 'linux/arm/v6', false],
    ['linux/arm', 'linux/arm/v6', true],
    ['linux/arm/v7', 'linux/arm', true],
  ];
  for (const [requested, candidate, expected] of cases) {
    test(`${requested} vs ${candidate}`, () => {
      assert.equal(platformMatches(parsePlatform(requested), parsePlatform(candidate)), expected);
    });
  }
});
