/**
 * Walks the entries of an uncompressed layer tar with tar-stream. Every byte is fed to the parser,
 * including the end-of-archive blocks and the zero padding after them, so the diffID hash that the
 * caller computes upstream covers the whole stream.
 *
 * NOTE: tar-stream keeps parsing after the end-of-archive marker, so non-zero bytes after it fail
 * the layer as corrupt, while GNU tar ignores them.
 *
 * @module
 */

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { extract as createExtract, type ExtractEvents, type Header } from 'tar-stream';

import { describeFailure, forwardErrors, forwarded, LayerLimitError, LayerReadError } from './failure.js';

/** The stream of an entry's content that tar-stream hands out, a streamx Readable. */
type EntryStream = ExtractEvents['entry'][1];

/** One tar entry, with its content still unread. */
export interface TarEntry {
  /** Name as the header stores it, e.g. `./etc/os-release`. */
  readonly name: string;
  /** tar-stream's entry type: `file`, `directory`, `symlink`, `link` (hard link), ... */
  readonly type: string;
  readonly size: number;
  readonly mode: number;
  /** Target of a symlink or hard link. */
  readonly linkname?: string;
  /** Reads the whole content into one Buffer. */
  read(): Promise<Buffer>;
}

export interface WalkSummary {
  readonly entries: number;
  /** False when the last 512-byte block is not all zeros, so the end-of-archive marker is missing. */
  readonly endMarker: boolean;
}

const BLOCK_SIZE = 512;

/**
 * Calls `onEntry` for each entry in order and waits for it before the next one. Content that the
 * handler does not read is discarded without copying. A rejected handler stops the walk, and the
 * returned promise rejects with the handler's error. Errors of `source` pass unchanged, and tar
 * format errors become LayerReadError.
 */
export async function walkTar(
  source: AsyncIterable<Buffer>,
  onEntry: (entry: TarEntry) => Promise<void>,
  options: { readonly maxEntries: number },
): Promise<WalkSummary> {
  const extract = createExtract();
  const tail = new TailBlock();
  let entries = 0;
  let lastName: string | undefined;

  extract.on('entry', (header, stream, next) => {
    entries += 1;
    lastName = header.name;
    const entry = new StreamEntry(header, stream);
    const handled =
      entries > options.maxEntries
        ? Promise.reject(new LayerLimitError(`the layer has more than ${options.maxEntries} tar entries; raise limits.maxEntries to read it`))
        : onEntry(entry);
    handled.then(() => entry.discard()).then(
      () => next(),
      (error: unknown) => next(forwarded(error)),
    );
  });

  try {
    await pipeline(Readable.from(tail.watch(source), { objectMode: false }), extract);
  } catch (error) {
    throw describeFailure(error, (message) => tarReason(message, entries, lastName));
  }
  return { entries, endMarker: tail.isZero() };
}

function tarReason(message: string, entries: number, lastName: string | undefined): string {
  // tar-stream 3 reports input that stops inside a header or entry as "Unexpected end of data".
  const truncated = /unexpected end/i.test(message);
  if (entries === 0) {
    return truncated ? 'not a tar archive: the data ends before the first complete tar header' : `not a tar archive: ${message}`;
  }
  const where = `after ${entries} entries, the last one ${JSON.stringify(lastName)}`;
  return truncated ? `truncated: unexpected end of tar data ${where}` : `corrupt tar data ${where}: ${message}`;
}

class StreamEntry implements TarEntry {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly mode: number;
  readonly linkname?: string;
  #stream: EntryStream;
  #consumed = false;

  constructor(header: Header, stream: EntryStream) {
    // tar-stream leaves type and linkname null for unknown type flags and entries without a link.
    const type: string | null = header.type;
    const linkname: string | null = header.linkname;
    this.name = header.name;
    this.type = type ?? 'unknown';
    this.size = header.size;
    this.mode = header.mode;
    if (linkname !== null) this.linkname = linkname;
    this.#stream = stream;
  }

  async read(): Promise<Buffer> {
    this.#consumed = true;
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.#stream) chunks.push(chunk as Uint8Array);
    return Buffer.concat(chunks);
  }

  /** Resolves once the content has been skipped; a no-op after `read` or once the walk has failed. */
  discard(): Promise<void> {
    const stream = this.#stream;
    if (this.#consumed || stream.destroyed || stream.destroying) return Promise.resolve();
    this.#consumed = true;
    return new Promise((resolve, reject) => {
      let ended = false;
      stream.on('end', () => {
        ended = true;
        resolve();
      });
      stream.on('error', reject);
      stream.on('close', () => {
        if (!ended) reject(new LayerReadError('the tar entry stream closed before its end'));
      });
      stream.resume();
    });
  }
}

/** Keeps the last 512-byte block of a stream to check for the end-of-archive marker. */
class TailBlock {
  #tail: Buffer = Buffer.alloc(0);

  async *watch(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of forwardErrors(source)) {
      this.#tail = chunk.length >= BLOCK_SIZE ? chunk : Buffer.concat([this.#tail, chunk]).subarray(-BLOCK_SIZE);
      yield chunk;
    }
  }

  isZero(): boolean {
    const block = this.#tail.subarray(-BLOCK_SIZE);
    return block.length === BLOCK_SIZE && block.every((byte) => byte === 0);
  }
}
