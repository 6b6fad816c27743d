import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { escapeControlCharacters } from './text.js';

describe('escapeControlCharacters', () => {
  const cases: [string, string][] = [
    ['plain text', 'plain text'],
    ['\u001b[2Jcleared', '\\x1b[2Jcleared'],
    ['two\nlines\r', 'two\\x0alines\\x0d'],
    ['tab\there', 'tab\\x09here'],
    ['csi\u009b1m', 'csi\\x9b1m'],
    ['nul\u0000', 'nul\\x00'],
    ['ünïcode ✓', 'ünïcode ✓'],
  ];
  for (const [input, expected] of cases) {
    it(`escapes ${JSON.stringify(input)}`, () => {
      assert.equal(escapeControlCharacters(input), expected);
    });
  }
});
