import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FeedError } from '../../errors.js';
import { openFeedRoot } from './files.js';
import { type JsonMember, readJsonMembers, scanJsonMembers } from './json-members.js';

async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let start = 0; start < text.length; start += size) yield text.slice(start, start + size);
}

async function collect(members: AsyncIterable<JsonMember>): Promise<JsonMember[]> {
  const result: JsonMember[] = [];
  for await (const member of members) result.push(member);
  return result;
}

// Strings hold braces, brackets, escaped quotes and a backslash before the closing quote, so a
// scanner that ignores string state or escapes splits the values in the wrong place.
const DOCUMENT = `\uFEFF {
  "pkg \\"a\\"": { "CVE-1": { "description": "has } and ] and { inside \\\\", "releases": [] } },
  "b": [1, {"x": "[\\"]"}],
  "str": "plain \\u00e9",
  "num": -12.5e3,
  "flag": true,
  "nothing": null,
  "empty": {}
}
`;

const EXPECTED: JsonMember[] = [
  { key: 'pkg "a"', value: { 'CVE-1': { description: 'has } and ] and { inside \\', releases: [] } } },
  { key: 'b', value: [1, { x: '["]' }] },
  { key: 'str', value: 'plain é' },
  { key: 'num', value: -12500 },
  { key: 'flag', value: true },
  { key: 'nothing', value: null },
  { key: 'empty', value: {} },
];

describe('scanJsonMembers', () => {
  for (const size of [1, 2, 3, 7, 64, DOCUMENT.length]) {
    test(`members with ${size}-character chunks`, async () => {
      const members = await collect(scanJsonMembers('test', 'doc.json', chunked(DOCUMENT, size)));
      assert.deepEqual(members, EXPECTED);
    });
  }

  test('empty object yields nothing', async () => {
    assert.deepEqual(await collect(scanJsonMembers('test', 'doc.json', chunked(' {} \n', 1))), []);
  });

  const broken: { name: string; text: string; message: RegExp }[] = [
    { name: 'top-level array', text: '[1, 2]', message: /character 0: expected "\{"/ },
    { name: 'unquoted key', text: '{ a: 1 }', message: /expected a quoted key/ },
    { name: 'missing colon', text: '{ "a" 1 }', message: /expected ":" after key "a"/ },
    { name: 'trailing comma', text: '{ "a": 1, }', message: /expected a quoted key/ },
    { name: 'missing comma', text: '{ "a": {} "b": 1 }', message: /expected "," or "\}" after the value of "a"/ },
    { name: 'invalid value', text: '{ "a": {"x": tru} }', message: /character 13: unexpected character where a value was expected in the value of "a"$/ },
    { name: 'invalid escape in a key', text: '{ "a\\q": 1 }', message: /character 4: invalid escape sequence in a string in a key$/ },
    { name: 'multi-line key', text: '{ "line\\nbreak" 1 }', message: /expected ":" after key "line\\nbreak"$/ },
    { name: 'truncated', text: '{ "a": {"x": 1}', message: /unexpected end of file/ },
    { name: 'text after end', text: '{ "a": 1 } x', message: /unexpected text after the closing/ },
    { name: 'empty file', text: '', message: /unexpected end of file/ },
  ];
  for (const { name, text, message } of broken) {
    test(`rejects ${name}`, async () => {
      const error = await collect(scanJsonMembers('test', 'doc.json', chunked(text, 3))).catch((caught: unknown) => caught);
      assert.ok(error instanceof FeedError, `expected FeedError, got ${String(error)}`);
      assert.equal(error.path, 'doc.json');
      assert.match(error.message, message);
    });
  }
});

describe('readJsonMembers', () => {
  test('reads a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-json-'));
    try {
      const path = join(dir, 'doc.json');
      await writeFile(path, DOCUMENT);
      assert.deepEqual(await collect(readJsonMembers(await openFeedRoot('test', dir), path)), EXPECTED);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('missing file is a FeedError', async () => {
    const path = join(tmpdir(), 'strata-no-such-file.json');
    const error = await collect(readJsonMembers(await openFeedRoot('test', tmpdir()), path)).catch((caught: unknown) => caught);
    assert.ok(error instanceof FeedError);
    assert.equal(error.path, path);
    assert.match(error.message, /cannot read the file/);
  });
});
