import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';

import { LayerLimitError, LayerReadError } from './failure.js';
import { zstdRawFrame } from './testdata/fixtures.js';
import { MAX_WINDOW_SIZE, SLICE_OUTPUT, ZstdFrameScanner, zstdDecompress } from './zstd.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** A block as RFC 8878 section 3.1.1.2 encodes it: a 3-byte header `size << 3 | type << 1 | last`, then its content. */
interface BlockSpec {
  readonly type: 'raw' | 'rle' | 'compressed' | 'reserved';
  readonly size: number;
  readonly byte?: number;
}

const BLOCK_TYPES = { raw: 0, rle: 1, compressed: 2, reserved: 3 } as const;

function block(spec: BlockSpec, last: boolean): Buffer {
  const value = (spec.size << 3) | (BLOCK_TYPES[spec.type] << 1) | (last ? 1 : 0);
  const header = Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff]);
  const byte = spec.byte ?? 0x61;
  if (spec.type === 'rle') return Buffer.concat([header, Buffer.from([byte])]);
  if (spec.type === 'raw') return Buffer.concat([header, Buffer.alloc(spec.size, byte)]);
  return header;
}

/**
 * Builds a frame without content size or checksum: descriptor 0x00, then a Window_Descriptor
 * whose exponent gives a window of 2^(10 + exponent) bytes.
 */
function frame(blocks: readonly BlockSpec[], windowExponent = 7): Buffer {
  const parts: Buffer[] = [Buffer.from([...MAGIC, 0x00, windowExponent << 3])];
  blocks.forEach((spec, index) => parts.push(block(spec, index === blocks.length - 1)));
  return Buffer.concat(parts);
}

/** `count` RLE blocks of 128 KiB of the byte 0x61 in one frame: 4 bytes of input per 128 KiB of output. */
function rleBomb(count: number): Buffer {
  return frame(Array.from({ length: count }, () => ({ type: 'rle' as const, size: 128 * KiB })));
}

async function* chunksOf(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

async function decodeAll(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of zstdDecompress(source)) parts.push(chunk);
  return Buffer.concat(parts);
}

async function decodeError(blob: Buffer): Promise<Error> {
  try {
    await decodeAll(chunksOf(blob, blob.length));
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('the data decoded without an error');
}

function hasZstdTool(): boolean {
  try {
    execFileSync('zstd', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('ZstdFrameScanner', () => {
  test('cuts RLE blocks at the budget', () => {
    const blob = rleBomb(100);
    const scanner = new ZstdFrameScanner();
    const headerBytes = 6;

    // Eight 128 KiB blocks reach 1 MiB, and each RLE block is 4 bytes of input.
    const first = scanner.sliceEnd(blob, 0, MiB);
    assert.equal(first, headerBytes + 8 * 4);
    const second = scanner.sliceEnd(blob, first, MiB);
    assert.equal(second, first + 8 * 4);
  });

  test('cuts across chunk boundaries', () => {
    const blob = rleBomb(16);
    const scanner = new ZstdFrameScanner();
    const ends: number[] = [];
    for (let offset = 0; offset < blob.length; offset += 5) {
      const chunk = blob.subarray(offset, offset + 5);
      let position = 0;
      while (position < chunk.length) {
        position = scanner.sliceEnd(chunk, position, 1);
        ends.push(offset + position);
      }
    }

    // With a budget of one byte, every block ends a slice, wherever the chunks split it.
    const blockEnds = Array.from({ length: 16 }, (_, index) => 6 + (index + 1) * 4);
    for (const end of blockEnds) assert.ok(ends.includes(end), `no slice ends at ${end}`);
    assert.equal(ends.at(-1), blob.length);
  });

  test('counts compressed blocks at the maximum', () => {
    // Two 10-byte compressed blocks may regenerate up to 128 KiB each; only headers matter here.
    const blob = Buffer.concat([Buffer.from([...MAGIC, 0x00, 7 << 3]), block({ type: 'compressed', size: 10 }, false), Buffer.alloc(10), block({ type: 'compressed', size: 10 }, true), Buffer.alloc(10)]);
    const scanner = new ZstdFrameScanner();

    assert.equal(scanner.sliceEnd(blob, 0, 100 * KiB), 6 + 13);
  });

  test('skips skippable frames', () => {
    const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const blob = Buffer.concat([skippable, rleBomb(4)]);
    const scanner = new ZstdFrameScanner();

    assert.equal(scanner.sliceEnd(blob, 0, 128 * KiB), skippable.length + 6 + 4);
  });
});

describe('zstdDecompress', () => {
  const text = Buffer.from('layer bytes, not very random '.repeat(20_000));

  test('raw frames in 1-byte chunks', async () => {
    const data = text.subarray(0, 20_000);
    const blob = Buffer.concat([zstdRawFrame(data.subarray(0, 1000)), zstdRawFrame(data.subarray(1000))]);
    const output = await decodeAll(chunksOf(blob, 1));

    assert.ok(output.equals(data));
  });

  test('RLE blocks regenerate their bytes', async () => {
    const output = await decodeAll(chunksOf(rleBomb(20), 64 * KiB));

    assert.equal(output.length, 20 * 128 * KiB);
    assert.ok(output.every((byte) => byte === 0x61));
  });

  test('empty raw blocks', async () => {
    const blob = frame([{ type: 'raw', size: 0 }, { type: 'raw', size: 3 }, { type: 'raw', size: 0 }]);
    const output = await decodeAll(chunksOf(blob, blob.length));

    assert.equal(output.toString(), 'aaa');
  });

  test('frames of the zstd tool', { skip: hasZstdTool() ? false : 'the zstd command is not installed' }, async () => {
    // Checksummed frames at two levels, concatenated, in chunks that split headers and blocks.
    const blob = Buffer.concat([
      execFileSync('zstd', ['-q', '-c', '-1', '--check'], { input: text }),
      execFileSync('zstd', ['-q', '-c', '-19', '--no-check'], { input: text }),
    ]);
    const output = await decodeAll(chunksOf(blob, 7_001));

    assert.ok(output.equals(Buffer.concat([text, text])));
  });

  test('bomb yields before it expands', async () => {
    // 1 GiB of output from 32 KiB of input, in one chunk.
    const blob = rleBomb(8 * KiB);
    const start = process.memoryUsage().arrayBuffers;
    const chunks = zstdDecompress(chunksOf(blob, blob.length));
    const first = await chunks.next();
    const growth = process.memoryUsage().arrayBuffers - start;
    await chunks.return(undefined);

    assert.equal(first.done, false);
    assert.ok(growth < SLICE_OUTPUT + 4 * MiB, `ArrayBuffers grew by ${growth} bytes before the first chunk was consumed`);
  });

  const rejects: readonly { name: string; blob: () => Buffer; error: new (...args: never[]) => Error; message: RegExp }[] = [
    {
      name: 'window over the maximum',
      blob: () => frame([{ type: 'rle', size: 16 }], 18),
      error: LayerLimitError,
      message: new RegExp(`needs a ${2 ** 28}-byte window, over the ${MAX_WINDOW_SIZE}-byte maximum`),
    },
    {
      name: 'single-segment size over the maximum',
      // Descriptor 0xE0: single segment with an 8-byte Frame_Content_Size of 2^40.
      blob: () => Buffer.from([...MAGIC, 0xe0, 0, 0, 0, 0, 0, 1, 0, 0]),
      error: LayerLimitError,
      message: new RegExp(`needs a ${2 ** 40}-byte window`),
    },
    {
      name: 'RLE block over the maximum block size',
      blob: () => frame([{ type: 'rle', size: 256 * KiB }], 11),
      error: LayerReadError,
      message: /corrupt zstd data: a block of 262144 bytes is larger than the frame's 131072-byte maximum block size/,
    },
    {
      name: 'block over a small window',
      blob: () => frame([{ type: 'rle', size: 2 * KiB }], 0),
      error: LayerReadError,
      message: /a block of 2048 bytes is larger than the frame's 1024-byte maximum/,
    },
    { name: 'reserved block type', blob: () => frame([{ type: 'reserved', size: 1 }]), error: LayerReadError, message: /reserved block type/ },
    {
      name: 'garbage after a frame',
      blob: () => Buffer.concat([rleBomb(1), Buffer.from('not zstd')]),
      error: LayerReadError,
      message: /corrupt zstd data: a frame does not start with a zstd magic number/,
    },
  ];

  for (const { name, blob, error: errorClass, message } of rejects) {
    test(name, async () => {
      const error = await decodeError(blob());

      assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${error.name}: ${error.message}`);
      assert.match(error.message, message);
    });
  }
});
