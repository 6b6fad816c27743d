import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DEBIAN_CODENAMES, debianVersionOf, parseKeyValues } from './release-files.js';

describe('parseKeyValues', () => {
  const cases: readonly [name: string, content: string, expected: Record<string, string>][] = [
    ['plain and quoted', 'ID=debian\nNAME="Debian GNU/Linux"\nVARIANT=\'Server\'\n', { ID: 'debian', NAME: 'Debian GNU/Linux', VARIANT: 'Server' }],
    ['escapes in double quotes', 'PRETTY_NAME="a \\"b\\" \\$c \\\\d"\n', { PRETTY_NAME: 'a "b" $c \\d' }],
    ['no escapes in single quotes', "NAME='a \\\"b'\n", { NAME: 'a \\"b' }],
    ['comments and blank lines', '# comment\n\nID=alpine\n', { ID: 'alpine' }],
    ['CRLF and trailing spaces', 'ID=alpine\r\nBUG="x" \r\n', { ID: 'alpine', BUG: 'x' }],
    ['empty value', 'VERSION_CODENAME=""\n', { VERSION_CODENAME: '' }],
    ['lines without a key', '=x\nnot a pair\n1ID=x\n', {}],
    ['unbalanced quote kept', 'NAME="Debian\n', { NAME: '"Debian' }],
  ];

  for (const [name, content, expected] of cases) {
    test(name, () => {
      assert.deepEqual(Object.fromEntries(parseKeyValues(content)), expected);
    });
  }
});

describe('Debian codenames', () => {
  test('round trip', () => {
    for (const [version, codename] of Object.entries(DEBIAN_CODENAMES)) {
      assert.equal(debianVersionOf(codename), version);
    }
  });

  test('unknown codename', () => {
    assert.equal(debianVersionOf('sid'), undefined);
  });
});
