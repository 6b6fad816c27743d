import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';

import { sharedPath, skipUnlessShared } from '../../test-support/shared.js';
import { compareDpkgVersions, parseDpkgVersion, type DpkgVersion } from './dpkg.js';
import { InvalidVersionError } from './errors.js';
import { operatorOf, readKnownAnswers } from './testdata/known-answers.js';

const KNOWN_ANSWERS = 'known-answers/version-compare/semantic/testdata';

/** Runs `compareDpkgVersions` and returns `<`, `=`, `>` or `error` for an invalid version. */
function compareOrError(a: string, b: string): string {
  try {
    return operatorOf(compareDpkgVersions(a, b));
  } catch (error) {
    if (error instanceof InvalidVersionError) return 'error';
    throw error;
  }
}

describe('parseDpkgVersion', () => {
  const cases: Array<[string, DpkgVersion]> = [
    ['1.0', { epoch: 0, upstream: '1.0', revision: '' }],
    ['1:2.3-4', { epoch: 1, upstream: '2.3', revision: '4' }],
    ['2.30-1ubuntu1~22.04', { epoch: 0, upstream: '2.30', revision: '1ubuntu1~22.04' }],
    ['1.0-2-3', { epoch: 0, upstream: '1.0-2', revision: '3' }],
    ['1:2:3-4', { epoch: 1, upstream: '2:3', revision: '4' }],
    ['00:1.0', { epoch: 0, upstream: '1.0', revision: '' }],
    ['+1:1.0', { epoch: 1, upstream: '1.0', revision: '' }],
    ['-0:1.0', { epoch: 0, upstream: '1.0', revision: '' }],
    ['2147483647:1', { epoch: 2147483647, upstream: '1', revision: '' }],
    [' \t1.0-1 ', { epoch: 0, upstream: '1.0', revision: '1' }],
    ['\n1:2', { epoch: 1, upstream: '2', revision: '' }],
    // dpkg only warns about these, so they parse.
    ['a1.0', { epoch: 0, upstream: 'a1.0', revision: '' }],
    ['1.0_beta', { epoch: 0, upstream: '1.0_beta', revision: '' }],
    ['1.0-1_x', { epoch: 0, upstream: '1.0', revision: '1_x' }],
  ];
  for (const [text, expected] of cases) {
    test(`parses ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseDpkgVersion(text), expected);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ['', /version is empty/],
    [' \t ', /version is empty/],
    ['1.0 1', /space or tab/],
    [':1.0', /epoch before the colon is empty/],
    ['a:1.0', /epoch "a" is not a number/],
    ['1a:1.0', /epoch "1a" is not a number/],
    ['1.0-1:2', /epoch "1.0-1" is not a number/],
    ['-1:1.0', /epoch -1 is negative/],
    ['2147483648:1.0', /larger than 2147483647/],
    ['99999999999999999999999:1.0', /larger than 2147483647/],
    ['1:', /nothing follows the epoch colon/],
    ['1.0-', /revision after the last hyphen is empty/],
    ['-1', /upstream version is empty/],
    ['1:-1', /upstream version is empty/],
  ];
  for (const [text, reason] of invalid) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseDpkgVersion(text), (error: unknown) => {
        assert.ok(error instanceof InvalidVersionError);
        assert.equal(error.code, 'INVALID_ARGUMENT');
        assert.equal(error.scheme, 'dpkg');
        assert.equal(error.value, text);
        assert.match(error.message, reason);
        assert.ok(error.message.includes(JSON.stringify(text)), error.message);
        return true;
      });
    });
  }
});

/** Hand-written edge cases; the dpkg oracle test below also checks each of them against dpkg. */
const EDGE_CASES: Array<[string, '<' | '=' | '>', string]> = [
  // `~` sorts before everything, including the end of the part.
  ['1.0~rc1', '<', '1.0'],
  ['1.0~~', '<', '1.0~'],
  ['1.0~~a', '<', '1.0~'],
  ['1.0~', '<', '1.0'],
  ['1.0~rc1', '<', '1.0~rc2'],
  ['1.0~rc1', '<', '1.0~rc1+b1'],
  ['1.2.3-1~deb12u1', '<', '1.2.3-1'],
  ['1.2.3-1~bpo12+1', '<', '1.2.3-1'],
  // Letters sort after the end and before non-letters.
  ['1.0', '<', '1.0a'],
  ['1.0a', '<', '1.0+'],
  ['1.0a', '<', '1.0.'],
  ['1.0Z', '<', '1.0a'],
  ['1.0+dfsg', '<', '1.0.1'],
  ['1.0+b1', '>', '1.0'],
  // Epochs override everything else; a missing epoch is 0.
  ['1:0.1', '>', '9.9'],
  ['0:1.0', '=', '1.0'],
  ['2:1', '>', '1:9'],
  ['00:1.0', '=', '0:1.0'],
  ['10:1', '>', '9:1'],
  // Digit runs compare as integers of any length.
  ['1.001', '=', '1.1'],
  ['007', '=', '7'],
  ['1.010', '>', '1.9'],
  ['1.123456789012345678901', '>', '1.123456789012345678900'],
  ['1.99999999999999999999', '<', '1.100000000000000000000'],
  // A missing revision is empty, which equals `0`.
  ['1.0', '=', '1.0-0'],
  ['1.0', '=', '1.0-00'],
  ['1.0-1', '>', '1.0'],
  ['1.0-1', '<', '1.0.1'],
  ['1.0-0', '<', '1.0-a'],
  // The last hyphen starts the revision.
  ['1.0-2-3', '>', '1.0-2'],
  ['1.0-2-3', '>', '1.0-3'],
  ['1.0-2-3', '<', '1.0.1-2'],
  // Blanks around the version are trimmed.
  [' 1.0 ', '=', '1.0'],
  // Versions that dpkg only warns about still compare.
  ['a1', '>', '1'],
  ['1.0_1', '>', '1.0+1'],
  ['1.0é', '>', '1.0e'],
  ['1.0é', '<', '1.0+'],
];

describe('compareDpkgVersions', () => {
  for (const [a, operator, b] of EDGE_CASES) {
    test(`${a} ${operator} ${b}`, () => {
      assert.equal(operatorOf(compareDpkgVersions(a, b)), operator);
      assert.equal(operatorOf(compareDpkgVersions(b, a)), operatorOf(-compareDpkgVersions(a, b)));
    });
  }

  test('throws for an invalid version', () => {
    assert.throws(() => compareDpkgVersions('1.0', '1:'), InvalidVersionError);
    assert.throws(() => compareDpkgVersions('x:1', '1.0'), InvalidVersionError);
  });

  for (const file of ['debian-versions.txt', 'debian-versions-generated.txt']) {
    test(`known answers in ${file}`, skipUnlessShared(`${KNOWN_ANSWERS}/${file}`), (t) => {
      const answers = readKnownAnswers(sharedPath(KNOWN_ANSWERS, file));
      t.diagnostic(`${answers.length} pairs, each checked in both directions`);
      assert.ok(answers.length > 0, `${file} contains no pairs`);

      const wrong = answers
        .filter((row) => compareDpkgVersions(row.a, row.b) !== row.expected)
        .map((row) => `line ${row.line}: ${row.text}`);
      assert.deepEqual(wrong, [], 'pairs ordered differently from the file');

      const wrongMirror = answers
        .filter((row) => compareDpkgVersions(row.b, row.a) !== -row.expected)
        .map((row) => `line ${row.line}: ${row.b} ${operatorOf(-row.expected)} ${row.a}`);
      assert.deepEqual(wrongMirror, [], 'mirrored pairs ordered differently from the file');
    });
  }
});

// --- Oracle: the real `dpkg --compare-versions` ------------------------------------------------

/** Returns why the oracle cannot run, or false when Debian's dpkg is on PATH. */
function dpkgUnavailable(): string | false {
  const result = spawnSync('dpkg', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) return 'dpkg not found on PATH; install Debian dpkg to compare against it';
  if (!result.stdout.includes("Debian 'dpkg'")) return 'the dpkg on PATH is not Debian dpkg';
  return false;
}

/** mulberry32: a small seeded PRNG, so the generated pairs are the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const EPOCHS = ['', '', '', '', '0:', '1:', '2:', '10:', '01:'];
const DIGIT_RUNS = ['0', '1', '2', '9', '10', '01', '007', '12', '20240101', '99999999999999999999'];
const WORDS = ['a', 'b', 'z', 'A', 'Z', 'rc', 'dfsg', 'deb', 'ubuntu', 'git', 'bpo'];
const SEPARATORS = ['.', '.', '.', '+', '~', '~', '', '-', ':'];
const REVISIONS = ['1', '0', '2', '10', '1ubuntu1', '1+deb12u1', '1~bpo12+1', '0.1', '3build2', '1~', 'a'];
const SUFFIXES = ['~', '~rc1', '+b1', 'a', '.0', '-1', '~~', '+', '0', '.1'];
// Syntax that dpkg rejects or only warns about, to check that both accept the same versions.
const ODD_VERSIONS = ['a1.0', 'A', '1.0_1', '1.0é', '1:', ':1', 'x:1', '1.0-', '-1:1', '1 0', ' 1.0', '2147483648:1', '2147483647:1', '+1:1', '1:-1', '-1'];

function randomDpkgVersion(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  let upstream = pick(DIGIT_RUNS);
  const extraParts = Math.floor(random() * 4);
  for (let index = 0; index < extraParts; index++) {
    upstream += pick(SEPARATORS) + (random() < 0.6 ? pick(DIGIT_RUNS) : pick(WORDS));
  }
  const revision = random() < 0.5 ? '' : `-${pick(REVISIONS)}`;
  return `${pick(EPOCHS)}${upstream}${revision}`;
}

/** Returns `count` pairs: near variants of one version, unrelated versions, equal ones and odd syntax. */
function generatePairs(count: number, random: () => number): Array<[string, string]> {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const pairs: Array<[string, string]> = [];
  while (pairs.length < count) {
    const a = randomDpkgVersion(random);
    const roll = random();
    if (roll < 0.45) pairs.push([a, a + pick(SUFFIXES)]);
    else if (roll < 0.6) pairs.push([a, a.replace(/\d(?!.*\d)/, pick(['0', '1', '9', '00', '10']))]);
    else if (roll < 0.85) pairs.push([a, randomDpkgVersion(random)]);
    else if (roll < 0.92) pairs.push([a, a]);
    else pairs.push(random() < 0.5 ? [pick(ODD_VERSIONS), a] : [a, pick(ODD_VERSIONS)]);
  }
  return pairs;
}

/**
 * Asks dpkg for the order of each pair and returns `<`, `=`, `>` or `error` (exit status 2, a
 * syntax error). One shell loop per CPU reads tab-separated pairs from stdin, so the thousands of
 * dpkg runs need only a few processes from Node.
 */
async function askDpkg(pairs: ReadonlyArray<readonly [string, string]>): Promise<string[]> {
  const script = [
    'tab=$(printf "\\t")',
    'while IFS="$tab" read -r a b; do',
    '  if dpkg --compare-versions -- "$a" lt "$b" 2>/dev/null; then echo "<"',
    '  else',
    '    status=$?',
    '    if [ "$status" -ne 1 ]; then echo error',
    '    elif dpkg --compare-versions -- "$a" eq "$b" 2>/dev/null; then echo "="',
    '    else echo ">"; fi',
    '  fi',
    'done',
  ].join('\n');

  const workers = Math.max(1, Math.min(8, availableParallelism()));
  const chunkSize = Math.ceil(pairs.length / workers);
  const chunks: Array<ReadonlyArray<readonly [string, string]>> = [];
  for (let start = 0; start < pairs.length; start += chunkSize) chunks.push(pairs.slice(start, start + chunkSize));

  const outputs = await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise<string[]>((resolve, reject) => {
          const child = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
          let stdout = '';
          child.stdout.setEncoding('utf8');
          child.stdout.on('data', (data: string) => (stdout += data));
          child.on('error', reject);
          child.on('close', (code) => {
            if (code !== 0) reject(new Error(`dpkg oracle shell exited with status ${code}`));
            else resolve(stdout.split('\n').filter((line) => line !== ''));
          });
          child.stdin.end(chunk.map(([a, b]) => `${a}\t${b}\n`).join(''));
        }),
    ),
  );
  return outputs.flat();
}

describe('compareDpkgVersions against dpkg', { skip: dpkgUnavailable() }, () => {
  test('generated pairs agree', { timeout: 120_000 }, async (t) => {
    const pairs = generatePairs(2000, seededRandom(20240611));
    const answers = await askDpkg(pairs);
    assert.equal(answers.length, pairs.length, 'dpkg returned one answer per pair');

    const counts: Record<string, number> = {};
    const disagreements: string[] = [];
    pairs.forEach(([a, b], index) => {
      const expected = answers[index]!;
      counts[expected] = (counts[expected] ?? 0) + 1;
      const actual = compareOrError(a, b);
      if (actual !== expected) disagreements.push(`${JSON.stringify(a)} vs ${JSON.stringify(b)}: dpkg ${expected}, ours ${actual}`);
    });
    t.diagnostic(`${pairs.length} pairs; dpkg answers ${JSON.stringify(counts)}`);

    assert.deepEqual(disagreements, []);
    for (const outcome of ['<', '=', '>', 'error']) {
      assert.ok((counts[outcome] ?? 0) >= 50, `the generator produced fewer than 50 pairs that dpkg answers with ${outcome}`);
    }
  });

  test('edge cases agree', async () => {
    const answers = await askDpkg(EDGE_CASES.map(([a, , b]) => [a, b] as const));
    const disagreements = EDGE_CASES.map(([a, operator, b], index) => ({ a, operator, b, dpkg: answers[index] }))
      .filter((row) => row.dpkg !== row.operator)
      .map((row) => `${row.a} ${row.operator} ${row.b}: dpkg ${row.dpkg}`);
    assert.deepEqual(disagreements, []);
  });

  test('rejects what dpkg rejects', async () => {
    const texts = ['1:', ':1', 'x:1', '1.0-', '-1:1', '1 0', '2147483648:1', '1:-1', '-1', 'a1', '1.0é', '+1:1', '-0:1'];
    const answers = await askDpkg(texts.map((text) => [text, '1'] as const));
    const disagreements = texts
      .map((text, index) => ({ text, dpkg: answers[index] === 'error', ours: compareOrError(text, '1') === 'error' }))
      .filter((row) => row.dpkg !== row.ours)
      .map((row) => `${JSON.stringify(row.text)}: dpkg rejects ${row.dpkg}, ours rejects ${row.ours}`);
    assert.deepEqual(disagreements, []);
  });
});
