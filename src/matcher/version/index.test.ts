import assert from 'node:assert/strict';
import { test } from 'node:test';

import { StrataError } from '../../errors.js';
import { compareVersions, InvalidVersionError, type VersionScheme } from './index.js';

test('compareVersions tilde by scheme', () => {
  // `~` sorts low only under dpkg; apk reads it as invalid and sorts it high.
  assert.equal(compareVersions('dpkg', '1.0~rc1', '1.0'), -1);
  assert.equal(compareVersions('apk', '1.0~rc1', '1.0'), 1);
});

test('compareVersions suffix by scheme', () => {
  // `_rc1` is a pre-release only under apk; dpkg sorts `_` after the end.
  assert.equal(compareVersions('apk', '1.1_rc1', '1.1'), -1);
  assert.equal(compareVersions('dpkg', '1.1_rc1', '1.1'), 1);
});

test('compareVersions invalid dpkg version', () => {
  assert.throws(() => compareVersions('dpkg', '1:', '1'), InvalidVersionError);
});

test('compareVersions unknown scheme', () => {
  assert.throws(
    () => compareVersions('rpm' as VersionScheme, '1', '2'),
    (error: unknown) => error instanceof StrataError && error.code === 'INVALID_ARGUMENT' && /unknown version scheme "rpm"/.test(error.message),
  );
});
