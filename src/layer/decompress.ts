/**
 * Detection and decompression of layer blobs. The format is read from the first bytes, whatever
 * the media type declares, because registries and tools mislabel layers.
 *
 * @module
 */

import { Readable, type Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';

import { errorMessage } from '../errors.js';
import { describeFailure, forwardErrors } from './failure.js';
import { zstdDecompress } from './zstd.js';

export type Compression = 'gzip' | 'zstd' | 'none';

const GZIP_MAGIC = [0x1f, 0x8b];
/** Zstandard frame magic number 0xFD2FB528, little-endian (RFC 8878, section 3.1.1). */
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const HEAD_BYTES = ZSTD_MAGIC.length;

/** Returns the compression that the first bytes of a blob show. Anything else is read as a plain tar. */
export function detectCompression(head: Uint8Array): Compression {
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

/** Returns the compression that a layer media type names, or undefined for unknown types. */
export function declaredCompression(mediaType: string | undefined): Compression | undefined {
  if (mediaType === undefined) return undefined;
  if (/[+.]gzip$/.test(mediaType)) return 'gzip';
  if (/[+.]zstd$/.test(mediaType)) return 'zstd';
  if (/[.]tar$/.test(mediaType)) return 'none';
  return undefined;
}

/**
 * Yields the uncompressed bytes of `source`. `onDetect` receives the detected compression before
 * the first chunk is yielded. Decoder failures become LayerReadError, and errors of `source` pass
 * unchanged.
 */
export async function* decompress(source: AsyncIterable<Buffer>, onDetect: (compression: Compression) => void): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    const head: Buffer[] = [];
    let headLength = 0;
    while (headLength < HEAD_BYTES) {
      const next = await iterator.next();
      if (next.done === true) break;
      head.push(next.value);
      headLength += next.value.length;
    }

    const compression = detectCompression(Buffer.concat(head));
    onDetect(compression);
    if (compression === 'none') {
      yield* head;
      yield* { [Symbol.asyncIterator]: () => iterator };
      return;
    }

    const blob = replay(head, iterator);
    // 256 KiB output chunks: the 16 KiB default costs one thread-pool round trip per 16 KiB.
    if (compression === 'gzip') yield* decode(pipeThrough(blob, createGunzip({ chunkSize: 256 * 1024 })), gzipReason);
    else yield* decode(zstdDecompress(blob), zstdReason);
  } finally {
    // Closes the source when the consumer stops early, e.g. after a failure further down.
    await iterator.return?.();
  }
}

function startsWith(data: Uint8Array, magic: readonly number[]): boolean {
  return data.length >= magic.length && magic.every((byte, index) => data[index] === byte);
}

/** Yields the chunks already read, then the rest of `iterator`, whose errors are forwarded. */
async function* replay(head: readonly Buffer[], iterator: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  yield* forwardErrors({ [Symbol.asyncIterator]: () => iterator });
}

async function* decode(chunks: AsyncIterable<Buffer>, reason: (error: unknown) => string): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
  } catch (error) {
    throw describeFailure(error, () => reason(error));
  }
}

function gzipReason(error: unknown): string {
  // zlib reports input that stops inside the deflate stream as Z_BUF_ERROR "unexpected end of file".
  const code = (error as { code?: unknown }).code;
  if (code === 'Z_BUF_ERROR') return 'truncated: unexpected end of gzip data';
  return `corrupt gzip data: ${errorMessage(error)}`;
}

function zstdReason(error: unknown): string {
  // fzstd's ZstdErrorCode.UnexpectedEOF.
  const code = (error as { code?: unknown }).code;
  if (code === 5) return 'truncated: unexpected end of zstd data';
  return `corrupt zstd data: ${errorMessage(error)}`;
}

/** Feeds `source` through a Node transform and yields its output, forwarding errors both ways. */
async function* pipeThrough(source: AsyncIterable<Buffer>, transform: Transform): AsyncGenerator<Buffer> {
  const input = Readable.from(source, { objectMode: false });
  input.once('error', (error) => transform.destroy(error));
  input.pipe(transform);
  try {
    for await (const chunk of transform) yield chunk as Buffer;
  } finally {
    input.destroy();
  }
}
