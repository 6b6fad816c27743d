import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { declaredCompression, decompress, detectCompression, type Compression } from './decompress.js';
import { zstdRawFrame } from './testdata/fixtures.js';

async function collect(chunks: readonly Buffer[]): Promise<{ output: Buffer; compression: Compression | undefined }> {
  let compression: Compression | undefined;
  async function* source(): AsyncGenerator<Buffer> {
    yield* chunks;
  }
  const parts: Buffer[] = [];
  for await (const chunk of decompress(source(), (detected) => (compression = detected))) parts.push(chunk);
  return { output: Buffer.concat(parts), compression };
}

function hasZstdTool(): boolean {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('detectCompression', () => {
  const cases: readonly [name: string, head: number[], expected: Compression][] = [
    ['gzip magic', [0x1f, 0x8b, 0x08, 0x00], 'gzip'],
    ['zstd magic', [0x28, 0xb5, 0x2f, 0xfd], 'zstd'],
    ['tar header', [0x65, 0x74, 0x63, 0x2f], 'none'],
    ['short zstd prefix', [0x28, 0xb5, 0x2f], 'none'],
    ['empty', [], 'none'],
  ];

  for (const [name, head, expected] of cases) {
    test(name, () => {
      assert.equal(detectCompression(Uint8Array.from(head)), expected);
    });
  }
});

describe('declaredCompression', () => {
  const cases: readonly [mediaType: string | undefined, expected: Compression | undefined][] = [
    ['application/vnd.oci.image.layer.v1.tar', 'none'],
    ['application/vnd.oci.image.layer.v1.tar+gzip', 'gzip'],
    ['application/vnd.oci.image.layer.v1.tar+zstd', 'zstd'],
    ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'gzip'],
    ['application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 'gzip'],
    ['application/vnd.in-toto+json', undefined],
    [undefined, undefined],
  ];

  for (const [mediaType, expected] of cases) {
    test(`media type ${String(mediaType)}`, () => {
      assert.equal(declaredCompression(mediaType), expected);
    });
  }
});

describe('decompress', () => {
  const data = Buffer.from('layer bytes '.repeat(5000));

  test('plain data split before the magic length', async () => {
    const { output, compression } = await collect([data.subarray(0, 1), data.subarray(1, 2), data.subarray(2)]);

    assert.equal(compression, 'none');
    assert.ok(output.equals(data));
  });

  test('gzip in one-byte chunks', async () => {
    const blob = gzipSync(data);
    const chunks = [...blob].map((byte) => Buffer.from([byte]));
    const { output, compression } = await collect(chunks);

    assert.equal(compression, 'gzip');
    assert.ok(output.equals(data));
  });

  test('zstd raw-block frame', async () => {
    const { output, compression } = await collect([zstdRawFrame(data)]);

    assert.equal(compression, 'zstd');
    assert.ok(output.equals(data));
  });

  test('zstd frame of the zstd tool', { skip: hasZstdTool() ? false : 'the zstd command is not installed' }, async () => {
    const blob = execFileSync('zstd', ['-q', '-c', '-19'], { input: data });
    const { output, compression } = await collect([blob.subarray(0, 10), blob.subarray(10)]);

    assert.equal(compression, 'zstd');
    assert.ok(output.equals(data));
  });

  test('upstream error passes unchanged', async () => {
    const failure = new Error('disk gone');
    async function* source(): AsyncGenerator<Buffer> {
      yield gzipSync(data).subarray(0, 100);
      throw failure;
    }
    const drain = async (): Promise<void> => {
      for await (const chunk of decompress(source(), () => {})) void chunk;
    };

    await assert.rejects(drain(), (error: unknown) => error === failure);
  });
});
