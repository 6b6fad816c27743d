/**
 * Random access to an uncompressed tar archive: one pass reads only the 512-byte headers, seeking
 * over entry data, then members are read by byte range, so several layers can stream at once.
 *
 * @module
 */

import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

import { ImageError } from '../errors.js';
import type { Logger } from '../log.js';
import { checkMetadataSize, fileIdentity, type ImageFiles } from './files.js';
import {
  BLOCK_SIZE,
  MAX_META_BYTES,
  TarHeaderError,
  dataSize,
  decodeLongName,
  decodeTarHeader,
  paddedSize,
  parsePaxRecords,
} from './tar-header.js';
import { TarIndex, entryTypeOf, type TarEntry, type Truncation } from './tar-index.js';

/** Overrides that pax (`x`) and GNU (`L`, `K`) meta entries set for the entry after them. */
interface PendingOverrides {
  path?: string;
  linkPath?: string;
  size?: number;
}

export class TarFileArchive implements ImageFiles {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #index: TarIndex;
  readonly #streams = new Set<Readable>();

  private constructor(path: string, handle: FileHandle, index: TarIndex) {
    this.path = path;
    this.#handle = handle;
    this.#index = index;
  }

  /** Indexes the archive at `path`. Throws ImageError on an invalid header or too many entries. */
  static async open(path: string, logger: Logger): Promise<TarFileArchive> {
    const handle = await open(path, 'r');
    try {
      const index = new TarIndex(path, logger);
      await indexHeaders(handle, path, index);
      logger.debug('indexed tar archive', { archive: path, entries: index.entryCount, truncated: index.truncation !== undefined });
      return new TarFileArchive(path, handle, index);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get truncation(): Truncation | undefined {
    return this.#index.truncation;
  }

  has(name: string): boolean {
    return this.#index.has(name);
  }

  async size(name: string): Promise<number | undefined> {
    return this.#index.resolve(name)?.size;
  }

  async read(name: string, maxBytes: number): Promise<Buffer | undefined> {
    const entry = this.#index.resolve(name);
    if (entry === undefined) return undefined;
    checkMetadataSize(this.path, `member ${name}`, entry.size, maxBytes);
    return readRange(this.#handle, this.path, entry);
  }

  async identity(name: string): Promise<string | undefined> {
    const entry = this.#index.resolve(name);
    if (entry === undefined) return undefined;
    return `${fileIdentity(await this.#handle.stat({ bigint: true }))}:${entry.dataOffset}:${entry.size}`;
  }

  async open(name: string): Promise<Readable | undefined> {
    const entry = this.#index.resolve(name);
    if (entry === undefined) return undefined;
    if (entry.size === 0) return Readable.from([]);

    const stream = rangeStream(this.#handle, this.path, entry);
    this.#streams.add(stream);
    stream.once('close', () => this.#streams.delete(stream));
    return stream;
  }

  async close(): Promise<void> {
    for (const stream of this.#streams) stream.destroy();
    await this.#handle.close();
  }
}

/** Size of the reads that stream a member; large, because each read is a round trip to the thread pool. */
const CHUNK_SIZE = 1024 * 1024;

/**
 * Streams a member's bytes with positioned reads on the shared handle, so parallel streams do not
 * disturb each other. FileHandle.createReadStream is not used because destroying such a stream
 * closes the handle even with `autoClose: false` (seen on Node 20.20).
 */
function rangeStream(handle: FileHandle, path: string, entry: TarEntry): Readable {
  let position = entry.dataOffset;
  let remaining = entry.size;

  return new Readable({
    highWaterMark: CHUNK_SIZE,
    read() {
      if (remaining === 0) {
        this.push(null);
        return;
      }
      const chunk = Buffer.allocUnsafe(Math.min(remaining, CHUNK_SIZE));
      handle.read(chunk, 0, chunk.length, position).then(
        ({ bytesRead }) => {
          if (bytesRead === 0) {
            this.destroy(new ImageError(`${path}: member ${entry.name} ends after ${entry.size - remaining} of ${entry.size} bytes; the archive is truncated`, path));
            return;
          }
          position += bytesRead;
          remaining -= bytesRead;
          this.push(chunk.subarray(0, bytesRead));
        },
        (error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
}

async function readRange(handle: FileHandle, path: string, entry: TarEntry): Promise<Buffer> {
  const buffer = Buffer.alloc(entry.size);
  const { bytesRead } = await handle.read(buffer, 0, entry.size, entry.dataOffset);
  if (bytesRead !== entry.size) {
    throw new ImageError(`${path}: member ${entry.name} ends after ${bytesRead} of ${entry.size} bytes; the archive is truncated`, path);
  }
  return buffer;
}

/** Walks the headers from offset 0 and records every entry in `index`. */
async function indexHeaders(handle: FileHandle, path: string, index: TarIndex): Promise<void> {
  const fileSize = (await handle.stat()).size;
  const readBlock = blockReader(handle);
  let pending: PendingOverrides = {};
  let offset = 0;

  while (offset < fileSize) {
    const block = await readBlock(offset);
    if (block.length < BLOCK_SIZE) {
      index.truncation = { present: block.length };
      return;
    }

    const header = decodeAt(block, path, offset);
    if (header === null) return;

    const dataOffset = offset + BLOCK_SIZE;
    const isMeta = header.typeFlag === 'x' || header.typeFlag === 'g' || header.typeFlag === 'L' || header.typeFlag === 'K';
    const size = isMeta ? header.size : dataSize(header.typeFlag, pending.size ?? header.size);
    const name = pending.path ?? header.name;

    if (dataOffset + size > fileSize) {
      index.truncation = { member: name, declared: size, present: Math.max(0, fileSize - dataOffset) };
      return;
    }

    if (isMeta) {
      if (size > MAX_META_BYTES) {
        throw new ImageError(`${path}: tar meta entry at offset ${offset} is ${size} bytes, above the ${MAX_META_BYTES}-byte limit; the archive is corrupt`, path);
      }
      const data = Buffer.alloc(size);
      await handle.read(data, 0, size, dataOffset);
      pending = applyMeta(pending, header.typeFlag, data, path, offset);
    } else {
      index.add({
        rawName: name,
        type: entryTypeOf(header.typeFlag),
        size,
        dataOffset,
        linkName: pending.linkPath ?? header.linkName,
      });
      pending = {};
    }
    offset = dataOffset + paddedSize(size);
  }
}

/** Size of the window that header reads are served from, so runs of small entries need few reads. */
const WINDOW_SIZE = 64 * 1024;

/** Returns a reader of the 512-byte block at an offset. Near the end of the file the block is shorter. */
function blockReader(handle: FileHandle): (offset: number) => Promise<Buffer> {
  const window = Buffer.alloc(WINDOW_SIZE);
  let start = 0;
  let length = 0;

  return async (offset) => {
    if (offset < start || offset + BLOCK_SIZE > start + length) {
      const { bytesRead } = await handle.read(window, 0, WINDOW_SIZE, offset);
      start = offset;
      length = bytesRead;
    }
    const from = offset - start;
    return window.subarray(from, Math.min(from + BLOCK_SIZE, length));
  };
}

function decodeAt(block: Buffer, path: string, offset: number): ReturnType<typeof decodeTarHeader> {
  try {
    return decodeTarHeader(block);
  } catch (error) {
    if (!(error instanceof TarHeaderError)) throw error;
    throw new ImageError(`${path}: invalid tar header at offset ${offset}: ${error.message}; the file is not a tar archive or is corrupt`, path, {
      cause: error,
    });
  }
}

/** Returns the overrides in effect after one meta entry. */
function applyMeta(pending: PendingOverrides, typeFlag: string, data: Buffer, path: string, offset: number): PendingOverrides {
  if (typeFlag === 'L') return { ...pending, path: decodeLongName(data) };
  if (typeFlag === 'K') return { ...pending, linkPath: decodeLongName(data) };
  // NOTE: global pax headers are skipped, so a `path` or `size` record set globally is not applied.
  if (typeFlag === 'g') return pending;

  let records: Map<string, string>;
  try {
    records = parsePaxRecords(data);
  } catch (error) {
    if (!(error instanceof TarHeaderError)) throw error;
    throw new ImageError(`${path}: invalid pax header at offset ${offset}: ${error.message}`, path, { cause: error });
  }

  const next = { ...pending };
  const paxPath = records.get('path');
  const linkPath = records.get('linkpath');
  const size = records.get('size');
  if (paxPath !== undefined) next.path = paxPath;
  if (linkPath !== undefined) next.linkPath = linkPath;
  if (size !== undefined) {
    if (!/^[0-9]{1,16}$/.test(size) || Number(size) > Number.MAX_SAFE_INTEGER) {
      throw new ImageError(`${path}: invalid pax size "${size}" at offset ${offset}`, path);
    }
    next.size = Number(size);
  }
  return next;
}
