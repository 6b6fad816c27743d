import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseStanzas } from './control-file.js';

function fieldsOf(text: string): Record<string, string>[] {
  return parseStanzas(text).map((stanza) => Object.fromEntries(stanza.fields));
}

describe('parseStanzas', () => {
  test('two stanzas with continuation lines', () => {
    const text = 'Package: a\nVersion: 1\nDescription: short\n long line\n .\n more\n\nPackage: b\nVersion: 2\n';

    assert.deepEqual(fieldsOf(text), [
      { package: 'a', version: '1', description: 'short\nlong line\n.\nmore' },
      { package: 'b', version: '2' },
    ]);
  });

  test('stanza line numbers', () => {
    const stanzas = parseStanzas('\n\nPackage: a\n\n\n\nPackage: b\n');

    assert.deepEqual(stanzas.map((stanza) => stanza.line), [3, 7]);
  });

  test('CRLF line ends', () => {
    assert.deepEqual(fieldsOf('Package: a\r\nVersion: 1\r\n\r\nPackage: b\r\n'), [{ package: 'a', version: '1' }, { package: 'b' }]);
  });

  test('blank lines of spaces separate stanzas', () => {
    assert.deepEqual(fieldsOf('Package: a\n \t\nPackage: b\n'), [{ package: 'a' }, { package: 'b' }]);
  });

  test('field names case-insensitive', () => {
    assert.deepEqual(fieldsOf('PACKAGE: a\nversion:1\n'), [{ package: 'a', version: '1' }]);
  });

  test('value with colons', () => {
    assert.deepEqual(fieldsOf('Version: 1:2.3-4\nHomepage: https://example.org/\n'), [{ version: '1:2.3-4', homepage: 'https://example.org/' }]);
  });

  test('empty input', () => {
    assert.deepEqual(parseStanzas(''), []);
    assert.deepEqual(parseStanzas('\n\n'), []);
  });

  const broken: readonly [name: string, text: string, problem: RegExp][] = [
    ['line without colon', 'Package: a\nthis is not a field\nVersion: 1\n', /line 2: expected "Field: value"/],
    ['continuation first', ' orphan continuation\nPackage: a\n', /line 1: continuation line without a field/],
    ['duplicate field', 'Package: a\nVersion: 1\nVersion: 2\n', /line 3: duplicate field "Version"/],
  ];

  for (const [name, text, problem] of broken) {
    test(name, () => {
      const [stanza] = parseStanzas(text);

      assert.equal(stanza?.problems.length, 1);
      assert.match(stanza?.problems[0] ?? '', problem);
      assert.equal(stanza?.fields.get('package'), 'a');
    });
  }
});
