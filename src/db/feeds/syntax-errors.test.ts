import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeJsonError, findJsonSyntaxError, lineAndColumn } from './syntax-errors.js';

describe('findJsonSyntaxError', () => {
  const valid = [
    '{}',
    ' [ ] ',
    '{"a": [1, -2.5e+3, 0, 0.5, true, false, null, "x\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"], "b": {"c": {}}}',
    '"just a string"',
    '-0',
    '1E9',
  ];
  for (const text of valid) {
    test(`valid ${text.slice(0, 20)}`, () => {
      assert.equal(findJsonSyntaxError(text), undefined);
      assert.doesNotThrow(() => JSON.parse(text));
    });
  }

  const invalid: readonly [text: string, offset: number, reason: RegExp][] = [
    ['', 0, /unexpected end of input/],
    ['{"a": 1', 7, /unexpected end of input/],
    ['{"a" 1}', 5, /expected ":" after a property name/],
    ['{a: 1}', 1, /expected a property name in double quotes/],
    ['{"a": 1,}', 8, /expected a property name/],
    ['[1 2]', 3, /expected "," or "\]" after an array element/],
    ['{"a": 1 "b": 2}', 8, /expected "," or "\}" after a property value/],
    ['[1,]', 3, /unexpected character where a value was expected/],
    ['[tru]', 1, /unexpected character/],
    ['[01]', 1, /invalid number/],
    ['[1.]', 1, /invalid number/],
    ['[-]', 1, /invalid number/],
    ['["a\\x"]', 3, /invalid escape sequence/],
    ['["\\u12g4"]', 2, /invalid \\u escape/],
    ['["a\nb"]', 3, /control character inside a string/],
    ['["abc', 5, /unterminated string/],
    ['{} {}', 3, /unexpected text after the end/],
    ['\uFEFF{}', 0, /unexpected character/],
  ];
  for (const [text, offset, reason] of invalid) {
    test(`invalid ${JSON.stringify(text)}`, () => {
      assert.throws(() => JSON.parse(text), SyntaxError);
      const found = findJsonSyntaxError(text);
      assert.equal(found?.offset, offset);
      assert.match(found?.reason ?? '', reason);
    });
  }

  test('deep nesting', () => {
    const text = '['.repeat(1_000_000);
    assert.deepEqual(findJsonSyntaxError(text), { offset: 1_000_000, reason: 'unexpected end of input' });
  });
});

describe('describeJsonError', () => {
  test('line and column', () => {
    const text = '{\n  "a": 1,\n  "b": nope\n}';
    const error = (() => {
      try {
        JSON.parse(text);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    assert.equal(describeJsonError(text, error), 'invalid JSON at line 3, column 8: unexpected character where a value was expected');
  });

  test('lineAndColumn at line starts', () => {
    assert.deepEqual(lineAndColumn('ab\ncd', 0), { line: 1, column: 1 });
    assert.deepEqual(lineAndColumn('ab\ncd', 2), { line: 1, column: 3 });
    assert.deepEqual(lineAndColumn('ab\ncd', 3), { line: 2, column: 1 });
  });
});
