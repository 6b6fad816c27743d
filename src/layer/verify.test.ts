import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DigestMismatchError } from '../errors.js';
import { LayerReadError } from './failure.js';
import { DigestCounter, countBytes, digestAlgorithm, verifyDigests } from './verify.js';

// sha256 of the three bytes "abc", from the FIPS 180-2 test vectors.
const ABC_SHA256 = 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';

describe('digestAlgorithm', () => {
  test('sha256 and sha512', () => {
    assert.equal(digestAlgorithm(ABC_SHA256, 'digest'), 'sha256');
    assert.equal(digestAlgorithm('sha512:00', 'digest'), 'sha512');
  });

  for (const digest of ['md5:00', 'ba7816bf', '', ':00']) {
    test(`rejects ${JSON.stringify(digest)}`, () => {
      assert.throws(() => digestAlgorithm(digest, 'diffID'), LayerReadError);
    });
  }
});

describe('DigestCounter', () => {
  test('chunks hash like one buffer', () => {
    const counter = new DigestCounter('sha256');
    counter.update(Buffer.from('a'));
    counter.update(Buffer.from('bc'));

    assert.equal(counter.digest(), ABC_SHA256);
    assert.equal(counter.bytes, 3);
  });

  test('countBytes stops past the limit', async () => {
    const counter = new DigestCounter('sha256');
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(10);
      yield Buffer.alloc(10);
    }
    const drain = async (): Promise<void> => {
      for await (const chunk of countBytes(source(), counter, { max: 15, exceeded: (max) => new Error(`over ${max}`) })) void chunk;
    };

    await assert.rejects(drain(), /over 15/);
    assert.equal(counter.bytes, 20);
  });
});

describe('verifyDigests', () => {
  const layer = { index: 2, digest: ABC_SHA256, diffID: ABC_SHA256, size: 3 };
  const observed = { blobDigest: ABC_SHA256, blobBytes: 3, diffID: ABC_SHA256 };
  const other = `sha256:${'0'.repeat(64)}`;

  test('all matching', () => {
    assert.doesNotThrow(() => verifyDigests(layer, observed));
  });

  test('upper-case expected digest', () => {
    assert.doesNotThrow(() => verifyDigests({ ...layer, digest: ABC_SHA256.toUpperCase().replace('SHA256', 'sha256') }, observed));
  });

  const cases: readonly [name: string, change: Partial<typeof observed>, kind: DigestMismatchError['kind']][] = [
    ['digest', { blobDigest: other }, 'digest'],
    ['digest before size', { blobDigest: other, blobBytes: 4 }, 'digest'],
    ['size', { blobBytes: 4 }, 'size'],
    ['diffID', { diffID: other }, 'diffID'],
  ];

  for (const [name, change, kind] of cases) {
    test(`mismatch ${name}`, () => {
      assert.throws(
        () => verifyDigests(layer, { ...observed, ...change }),
        (error: unknown) => error instanceof DigestMismatchError && error.kind === kind && error.layer.index === 2,
      );
    });
  }

  test('no digest or size declared', () => {
    assert.doesNotThrow(() => verifyDigests({ index: 0, diffID: ABC_SHA256 }, { ...observed, blobDigest: other, blobBytes: 99 }));
  });
});
