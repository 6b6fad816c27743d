import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { buildTar, patchHeaderSize } from './testdata/archives.js';
import { BLOCK_SIZE, TarHeaderError, decodeLongName, decodeTarHeader, parsePaxRecords } from './tar-header.js';

describe('decodeTarHeader', () => {
  test('reads a ustar file header', async () => {
    const tar = await buildTar([{ name: 'manifest.json', data: '[]' }]);
    const header = decodeTarHeader(tar.subarray(0, BLOCK_SIZE));
    assert.ok(header);
    assert.equal(header.name, 'manifest.json');
    assert.equal(header.typeFlag, '0');
    assert.equal(header.size, 2);
  });

  test('joins the ustar prefix', async () => {
    // tar-stream splits names of 100 to 255 bytes into prefix and name.
    const name = `${'d'.repeat(120)}/file.json`;
    const tar = await buildTar([{ name, data: 'x' }]);
    const header = decodeTarHeader(tar.subarray(0, BLOCK_SIZE));
    assert.equal(header?.name, name);
  });

  test('reads a symlink header', async () => {
    const tar = await buildTar([{ name: 'a/layer.tar', type: 'symlink', linkname: '../b.tar' }]);
    const header = decodeTarHeader(tar.subarray(0, BLOCK_SIZE));
    assert.equal(header?.typeFlag, '2');
    assert.equal(header?.linkName, '../b.tar');
  });

  test('returns null for a zero block', () => {
    assert.equal(decodeTarHeader(Buffer.alloc(BLOCK_SIZE)), null);
  });

  test('rejects a bad checksum', async () => {
    const tar = await buildTar([{ name: 'x', data: 'y' }]);
    tar[0] = 'z'.charCodeAt(0);
    assert.throws(() => decodeTarHeader(tar.subarray(0, BLOCK_SIZE)), TarHeaderError);
  });

  test('rejects a short block', () => {
    assert.throws(() => decodeTarHeader(Buffer.alloc(100)), TarHeaderError);
  });

  test('reads a base-256 size', async () => {
    const tar = await buildTar([{ name: 'x', data: 'y' }]);
    patchHeaderSize(tar, 0, 2n ** 40n, true);
    assert.equal(decodeTarHeader(tar.subarray(0, BLOCK_SIZE))?.size, 2 ** 40);
  });

  test('rejects a size above 2^53', async () => {
    const tar = await buildTar([{ name: 'x', data: 'y' }]);
    patchHeaderSize(tar, 0, 2n ** 60n, true);
    assert.throws(() => decodeTarHeader(tar.subarray(0, BLOCK_SIZE)), /exceeds/);
  });

  test('rejects a non-octal size', async () => {
    const tar = await buildTar([{ name: 'x', data: 'y' }]);
    tar.write('0000000009x\0', 124, 'latin1');
    // Repair the checksum so that only the size field is wrong.
    tar.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of tar.subarray(0, BLOCK_SIZE)) sum += byte;
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    assert.throws(() => decodeTarHeader(tar.subarray(0, BLOCK_SIZE)), /not an octal number/);
  });
});

describe('parsePaxRecords', () => {
  test('reads path and size', () => {
    const records = parsePaxRecords(Buffer.from('19 path=a/b/c.json\n13 size=1234\n'));
    assert.equal(records.get('path'), 'a/b/c.json');
    assert.equal(records.get('size'), '1234');
  });

  test('keeps = inside values', () => {
    assert.equal(parsePaxRecords(Buffer.from('16 linkpath=a=b\n')).get('linkpath'), 'a=b');
  });

  test('stops at NUL padding', () => {
    const data = Buffer.concat([Buffer.from('11 path=ab\n'), Buffer.alloc(20)]);
    assert.equal(parsePaxRecords(data).get('path'), 'ab');
  });

  const malformed = ['99 path=a\n', 'x path=a\n', '10 path=ab', '9 pathab\n'];
  for (const text of malformed) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(() => parsePaxRecords(Buffer.from(text)), TarHeaderError);
    });
  }
});

describe('decodeLongName', () => {
  test('stops at NUL', () => {
    assert.equal(decodeLongName(Buffer.from('very/long/name\0\0\0')), 'very/long/name');
  });
});
