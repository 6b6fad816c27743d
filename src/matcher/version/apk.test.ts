import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { sharedPath, skipUnlessShared } from '../../test-support/shared.js';
import { compareApkVersions, isValidApkVersion } from './apk.js';
import { operatorOf, readKnownAnswers, type KnownAnswer } from './testdata/known-answers.js';

const KNOWN_ANSWERS = 'known-answers/version-compare/semantic/testdata';

/**
 * Rows of the hand-written Alpine known-answer file whose answer is not what apk-tools 2.x
 * (Alpine 3.x) returns, with the apk-tools 2.x answer that this module follows. The file records
 * the answer of newer apk-tools for most of them and says so in a comment. Each answer here was
 * checked against the comparator in apk-tools 2.x src/version.c.
 */
const APK_TOOLS_2_ANSWERS: ReadonlyArray<{ row: string; expected: '<' | '=' | '>'; reason: string }> = [
  {
    row: '1-r-0 < 1-r0',
    expected: '>',
    reason: 'the empty revision is followed by an invalid `-0`, and a version that turns invalid sorts above one that ends (the file notes > for Alpine 3.x)',
  },
  {
    row: '1-r-1 < 1-r0',
    expected: '>',
    reason: 'the empty revision is followed by an invalid `-1`, and a version that turns invalid sorts above one that ends (the file notes > for Alpine 3.x)',
  },
  {
    row: '0.r1 < 0r2',
    expected: '>',
    reason: 'after the equal `0`, a dot component (token code 0) sorts above a letter (token code 2); the file has no note on this row',
  },
  {
    row: '0.8.21.r2 < 0.8.21r2',
    expected: '>',
    reason: 'after the equal `0.8.21`, a dot component (token code 0) sorts above a letter (token code 2); the file has no note on this row',
  },
  {
    row: '1.2.0A < 1.2.0d',
    expected: '>',
    reason: 'an uppercase letter is invalid, and a version that turns invalid sorts above one that continues validly (the file notes > for Alpine 3.x)',
  },
  {
    row: '1.2.0D < 1.2.0d',
    expected: '>',
    reason: 'an uppercase letter is invalid, and a version that turns invalid sorts above one that continues validly (the file notes > for Alpine 3.x)',
  },
  {
    row: '1 > 1-ruff',
    expected: '<',
    reason: '`-r` starts a revision that turns invalid at `u`, and a version that continues sorts above one that ends (the file notes < for Alpine 3.x)',
  },
  {
    row: '1-ruff2 = 1--ruff1',
    expected: '<',
    reason: '`1--ruff1` turns invalid right after `1`, `1-ruff2` only after an empty revision, and the version that turns invalid sooner sorts higher (the file notes > for Alpine 3.x, but apk-tools 2.x returns <)',
  },
];

/** Returns the answers that disagree with compareApkVersions, in both directions. */
function findDisagreements(answers: readonly KnownAnswer[], expectedOf: (row: KnownAnswer) => number): string[] {
  const disagreements: string[] = [];
  for (const row of answers) {
    const expected = expectedOf(row);
    const actual = compareApkVersions(row.a, row.b);
    if (actual !== expected) disagreements.push(`line ${row.line}: ${row.text}, got ${operatorOf(actual)}`);
    const mirrored = compareApkVersions(row.b, row.a);
    if (mirrored !== -expected) disagreements.push(`line ${row.line} mirrored: ${row.b} ${operatorOf(-expected)} ${row.a}, got ${operatorOf(mirrored)}`);
  }
  return disagreements;
}

function countInvalid(answers: readonly KnownAnswer[]): number {
  return answers.filter((row) => !isValidApkVersion(row.a) || !isValidApkVersion(row.b)).length;
}

describe('compareApkVersions known answers', () => {
  const handWritten = `${KNOWN_ANSWERS}/alpine-versions.txt`;
  test('alpine-versions.txt', skipUnlessShared(handWritten), (t) => {
    const answers = readKnownAnswers(sharedPath(handWritten));
    assert.ok(answers.length > 0, 'the file contains no pairs');

    const overrides = new Map(APK_TOOLS_2_ANSWERS.map((entry) => [entry.row, entry]));
    const rows = new Set(answers.map((row) => row.text));
    const stale = APK_TOOLS_2_ANSWERS.filter((entry) => !rows.has(entry.row)).map((entry) => entry.row);
    assert.deepEqual(stale, [], 'overridden rows missing from the file');

    const operators: Record<string, -1 | 0 | 1> = { '<': -1, '=': 0, '>': 1 };
    const disagreements = findDisagreements(answers, (row) => {
      const override = overrides.get(row.text);
      return override === undefined ? row.expected : operators[override.expected]!;
    });
    t.diagnostic(
      `${answers.length} pairs checked in both directions; ${countInvalid(answers)} contain an invalid version; ` +
        `${APK_TOOLS_2_ANSWERS.length} use the apk-tools 2.x answer in place of the file's`,
    );
    assert.deepEqual(disagreements, []);
  });

  const generated = `${KNOWN_ANSWERS}/alpine-versions-generated.txt`;
  test('alpine-versions-generated.txt', skipUnlessShared(generated), (t) => {
    const answers = readKnownAnswers(sharedPath(generated));
    assert.ok(answers.length > 0, 'the file contains no pairs');

    const disagreements = findDisagreements(answers, (row) => row.expected);
    t.diagnostic(`${answers.length} pairs checked in both directions; ${countInvalid(answers)} contain an invalid version`);
    assert.deepEqual(disagreements, []);
  });
});

/** Asserts that every version in `ascending` sorts below every later one, and equals itself. */
function assertAscending(ascending: readonly string[]): void {
  for (let i = 0; i < ascending.length; i++) {
    const lower = ascending[i]!;
    assert.equal(compareApkVersions(lower, lower), 0, `${lower} = ${lower}`);
    for (let j = i + 1; j < ascending.length; j++) {
      const higher = ascending[j]!;
      assert.equal(compareApkVersions(lower, higher), -1, `${lower} < ${higher}`);
      assert.equal(compareApkVersions(higher, lower), 1, `${higher} > ${lower}`);
    }
  }
}

describe('compareApkVersions', () => {
  test('suffix order around a release', () => {
    assertAscending([
      '1.1_alpha',
      '1.1_alpha1',
      '1.1_alpha2_p1',
      '1.1_beta',
      '1.1_pre',
      '1.1_pre9',
      '1.1_rc1',
      '1.1',
      '1.1-r1',
      '1.1_cvs',
      '1.1_svn',
      '1.1_git',
      '1.1_hg',
      '1.1_p',
      '1.1_p1',
      '1.1_p1-r1',
      '1.1a',
      '1.1b_rc1',
      '1.1b',
      '1.1.1',
    ]);
  });

  test('suffix after a zero component', () => {
    // apk-tools 2.x reads an empty digit token after the zeros, so the bare version ends first.
    assert.equal(compareApkVersions('1.0_rc1', '1.0'), 1);
    assert.equal(compareApkVersions('1.0_alpha', '1.0'), 1);
    assert.equal(compareApkVersions('1.0_rc1-r0', '1.0-r0'), -1);
    assert.equal(compareApkVersions('2.0_pre2-r0', '2.0-r0'), -1);
  });

  test('numeric components', () => {
    assertAscending(['0.9', '0.10', '1', '1.2', '1.2.3', '1.10', '2', '10', '20050718']);
  });

  test('revisions', () => {
    assertAscending(['1.0', '1.0-r0', '1.0-r1', '1.0-r2', '1.0-r10', '1.0.0']);
  });

  const cases: Array<[string, '<' | '=' | '>', string, string]> = [
    // Zeros after a dot form their own token worth minus their count.
    ['1.05', '<', '1.5', 'zero-led component'],
    ['1.01', '<', '1.1', 'zero-led component'],
    ['1.0', '>', '1.00', 'more zeros sort lower'],
    ['1.001', '<', '1.01', 'more zeros sort lower'],
    ['1.010', '>', '1.01', 'digits after the zeros'],
    // The first component is a plain number.
    ['01', '=', '1', 'zero-led first component'],
    ['006', '>', '1.0.0', 'zero-led first component'],
    ['1-r01', '=', '1-r1', 'zero-led revision'],
    ['1-r', '=', '1-r0', 'empty revision'],
    // Digit runs compare exactly, also where apk-tools 2.x overflows a C int.
    ['1.0_git20210530193627', '>', '1.0_git20191002222144', 'long suffix number'],
    ['1.123456789012345678901', '>', '1.123456789012345678900', 'long component'],
    // Letters.
    ['1.2.3b', '>', '1.2.3a', 'letter'],
    ['1.2.3b', '<', '1.2.4', 'letter before next component'],
  ];
  for (const [a, operator, b, name] of cases) {
    test(`${name}: ${a} ${operator} ${b}`, () => {
      assert.equal(operatorOf(compareApkVersions(a, b)), operator);
      assert.equal(operatorOf(compareApkVersions(b, a)), operatorOf(-compareApkVersions(a, b)));
    });
  }
});

describe('compareApkVersions invalid versions', () => {
  // The fallback order documented in apk.ts, the one apk-tools 2.x applies.
  const cases: Array<[string, '<' | '=' | '>', string, string]> = [
    ['1.2.0A', '>', '1.2.0d', 'invalid sorts above a valid continuation'],
    ['1.2.0A', '>', '1.2.0', 'invalid sorts above the end'],
    ['1.2.0A', '=', '1.2.0B', 'equal up to the invalid token'],
    ['1.2.0A', '<', '1.2.1A', 'earlier tokens decide first'],
    ['1', '<', '1-ruff', 'invalid revision sorts above the end'],
    ['1-ruff1', '=', '1-ruff2', 'text after the invalid token is ignored'],
    ['1.2~abc', '>', '1.2', 'commit hash is invalid in apk-tools 2.x'],
    ['1.2_blah', '<', '1.2', 'unknown suffix sorts below the release'],
    ['1.2_blah', '>', '1.2_rc1', 'unknown suffix sorts above pre-releases'],
    ['1.2_blah', '<', '1.2_cvs', 'unknown suffix sorts below post-releases'],
    ['1 2', '>', '1', 'space'],
    ['', '=', '0', 'empty version'],
    ['', '<', '1', 'empty version'],
    ['', '=', '', 'empty versions'],
    ['a', '<', 'b', 'leading letter'],
    ['.1', '<', '1', 'leading dot'],
  ];
  for (const [a, operator, b, name] of cases) {
    test(`${name}: ${JSON.stringify(a)} ${operator} ${JSON.stringify(b)}`, () => {
      assert.equal(operatorOf(compareApkVersions(a, b)), operator);
      assert.equal(operatorOf(compareApkVersions(b, a)), operatorOf(-compareApkVersions(a, b)));
    });
  }

  test('random text never throws and is antisymmetric', () => {
    // A fixed linear congruential generator keeps the strings the same on every run.
    let state = 7;
    const random = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    const pieces = ['0', '1', '9', '00', '01', '.', '_', '-', '-r', 'r', 'a', 'z', 'A', '~', ' ', 'alpha', 'rc', 'p', 'git', 'é'];
    const randomText = (): string => {
      let text = '';
      const length = Math.floor(random() * 8);
      for (let index = 0; index < length; index++) text += pieces[Math.floor(random() * pieces.length)]!;
      return text;
    };

    const failures: string[] = [];
    for (let index = 0; index < 5000; index++) {
      const a = randomText();
      const b = random() < 0.3 ? a + randomText() : randomText();
      if (compareApkVersions(a, a) !== 0) failures.push(`${JSON.stringify(a)} != itself`);
      if (compareApkVersions(a, b) !== -compareApkVersions(b, a)) failures.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      isValidApkVersion(a);
    }
    assert.deepEqual(failures, []);
  });
});

describe('isValidApkVersion', () => {
  const valid = ['0', '1', '1.2.3', '1.2.3b', '1.2.3_rc1', '1.2.3_p1_git2', '1.2.3-r0', '1.2.3b_rc1-r2', '0.1.0_alpha_pre2', '20050718-r1', '1.0_pre20191002222144-r0'];
  for (const text of valid) {
    test(`accepts ${text}`, () => {
      assert.equal(isValidApkVersion(text), true);
    });
  }

  const invalid: Array<[string, string]> = [
    ['', 'empty'],
    ['.1', 'no leading digit'],
    ['a', 'no leading digit'],
    ['1.2.0A', 'uppercase letter'],
    ['1.0bc', 'two letters'],
    ['1a.2', 'dot after a letter'],
    ['1-ruff', 'letters in the revision'],
    ['1-r-1', 'hyphen in the revision'],
    ['1.2-3', 'hyphen without r'],
    ['1.2_blah', 'unknown suffix'],
    ['23_foo', 'unknown suffix'],
    ['1.2~abc', 'commit hash, added after apk-tools 2.x'],
    ['1.2 ', 'trailing space'],
  ];
  for (const [text, reason] of invalid) {
    test(`rejects ${JSON.stringify(text)} (${reason})`, () => {
      assert.equal(isValidApkVersion(text), false);
    });
  }
});
