import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ImageError } from '../errors.js';
import { parseImageConfig } from './config.js';
import { MAX_JSON_DEPTH, parseJson } from './json.js';

function nested(depth: number, inner = ''): string {
  return `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
}

function parseError(text: string, label = 'index.json'): ImageError {
  let caught: unknown;
  assert.throws(() => parseJson(Buffer.from(text), label, '/layout'), (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof ImageError, `expected ImageError, got ${String(caught)}`);
  return caught;
}

describe('parseJson syntax errors', () => {
  // Each input carries the marker SECRET, which no message may repeat.
  const cases: readonly { input: string; reason: RegExp }[] = [
    { input: 'SECRET root:x:0:0:root:/root:/bin/sh', reason: /: unexpected character$/ },
    { input: '{"SECRET": 1,}', reason: /: expected double-quoted property name at position 13$/ },
    { input: '{"SECRET" 1}', reason: /: expected ':' after property name at position 10$/ },
    { input: '{"SECRET": tru}', reason: /: unexpected character$/ },
    { input: '["SECRET"', reason: /: expected ',' or '\]' after array element at position 9$/ },
    { input: '{"SECRET": ', reason: /: unexpected end of input$/ },
    { input: '"SECRET', reason: /: unterminated string at position 7$/ },
    { input: '["SECRET"] x', reason: /: unexpected non-whitespace character after JSON at position 11$/ },
    { input: '\ufeff{"SECRET": 1}', reason: /: unexpected character$/ },
  ];

  for (const { input, reason } of cases) {
    test(`no input in message: ${JSON.stringify(input)}`, () => {
      const error = parseError(input);
      assert.match(error.message, /^\/layout: index\.json is not valid JSON: /);
      assert.match(error.message, reason);
      assert.doesNotMatch(error.message, /SECRET|root:x/);
      assert.equal(error.cause, undefined);
    });
  }
});

describe('parseJson nesting', () => {
  test(`accepts ${MAX_JSON_DEPTH} levels`, () => {
    assert.ok(Array.isArray(parseJson(Buffer.from(nested(MAX_JSON_DEPTH)), 'config', '/image.tar')));
  });

  test('rejects one level more', () => {
    const error = parseError(nested(MAX_JSON_DEPTH + 1), 'config sha256:abc');
    assert.match(error.message, new RegExp(`config sha256:abc nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels \\(at position ${MAX_JSON_DEPTH}\\)`));
  });

  test('counts objects and arrays', () => {
    const text = `${'{"a":['.repeat(51)}1${']}'.repeat(51)}`;
    assert.match(parseError(text).message, /deeper than 100 levels/);
  });

  test('ignores brackets in strings', () => {
    const text = JSON.stringify({ a: `\\"${'['.repeat(500)}`, b: '{'.repeat(500) });
    assert.deepEqual(Object.keys(parseJson(Buffer.from(text), 'config', '/image.tar') as object), ['a', 'b']);
  });

  test('100000 levels fail fast', () => {
    const started = performance.now();
    assert.match(parseError(nested(100_000)).message, /deeper than 100 levels/);
    assert.ok(performance.now() - started < 5_000);
  });

  test('no limit when asked', () => {
    assert.ok(Array.isArray(parseJson(Buffer.from(nested(1000)), 'manifest.json', '/image.tar', Infinity)));
  });

  test('config with deep Labels', () => {
    const config = `{"os":"linux","architecture":"amd64","config":{"Labels":${nested(100_000)}},"rootfs":{"type":"layers","diff_ids":[]}}`;
    assert.throws(() => parseImageConfig(Buffer.from(config), 'config x.json', '/image.tar'), (error: unknown) => {
      assert.ok(error instanceof ImageError);
      assert.match(error.message, /^\/image\.tar: config x\.json nests arrays and objects deeper than 100 levels/);
      return true;
    });
  });
});
