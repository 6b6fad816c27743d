import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { databasePath, defaultCacheDir } from './paths.js';

describe('defaultCacheDir', () => {
  const saved = process.env['XDG_CACHE_HOME'];
  afterEach(() => {
    if (saved === undefined) delete process.env['XDG_CACHE_HOME'];
    else process.env['XDG_CACHE_HOME'] = saved;
  });

  const CASES: { name: string; xdg: string | undefined; expected: string }[] = [
    { name: 'XDG_CACHE_HOME set', xdg: '/var/cache/me', expected: '/var/cache/me/strata' },
    { name: 'XDG_CACHE_HOME unset', xdg: undefined, expected: join(homedir(), '.cache', 'strata') },
    { name: 'XDG_CACHE_HOME empty', xdg: '', expected: join(homedir(), '.cache', 'strata') },
    { name: 'XDG_CACHE_HOME relative', xdg: 'cache', expected: join(homedir(), '.cache', 'strata') },
  ];
  for (const { name, xdg, expected } of CASES) {
    test(name, () => {
      if (xdg === undefined) delete process.env['XDG_CACHE_HOME'];
      else process.env['XDG_CACHE_HOME'] = xdg;
      assert.equal(defaultCacheDir(), expected);
    });
  }
});

describe('databasePath', () => {
  test('file under db folder', () => {
    assert.equal(databasePath('/tmp/cache'), '/tmp/cache/db/strata.db');
  });
});
