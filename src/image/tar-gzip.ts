/**
 * Access to a gzip-compressed tar archive, which allows no random access. One streaming pass
 * indexes the entries and keeps the small JSON members in memory. Every other member is read by
 * decompressing the archive again from the start up to that member.
 *
 * @module
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

import { extract as tarExtract, type Extract, type Header } from 'tar-stream';

import { ImageError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { checkMetadataSize, fileIdentity, MAX_JSON_BYTES, readAll, type ImageFiles } from './files.js';
import { TarIndex, type TarEntry, type TarEntryType, type Truncation } from './tar-index.js';

/** Maximum total size of the JSON members kept in memory from the indexing pass. */
const MAX_CACHED_BYTES = 64 * 1024 * 1024;

/** One entry as tar-stream's extractor yields it: a readable stream with the parsed header. */
type ExtractEntry = Extract extends AsyncIterable<infer T> ? T : never;

export class GzipTarArchive implements ImageFiles {
  readonly path: string;
  readonly #index: TarIndex;
  readonly #cache: ReadonlyMap<number, Buffer>;
  readonly #logger: Logger;

  private constructor(path: string, index: TarIndex, cache: ReadonlyMap<number, Buffer>, logger: Logger) {
    this.path = path;
    this.#index = index;
    this.#cache = cache;
    this.#logger = logger;
  }

  /** Indexes the archive in one streaming pass. Throws ImageError when the gzip data is corrupt. */
  static async open(path: string, logger: Logger): Promise<GzipTarArchive> {
    const index = new TarIndex(path, logger);
    const cache = new Map<number, Buffer>();
    await indexStream(path, index, cache);
    logger.debug('indexed gzip-compressed tar archive', {
      archive: path,
      entries: index.entryCount,
      cachedMembers: cache.size,
      truncated: index.truncation !== undefined,
    });
    return new GzipTarArchive(path, index, cache, logger);
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
    return this.#cache.get(entry.ordinal) ?? readAll(this.#stream(entry));
  }

  async identity(name: string): Promise<string | undefined> {
    const entry = this.#index.resolve(name);
    if (entry === undefined) return undefined;
    return `${fileIdentity(await stat(this.path, { bigint: true }))}:${entry.ordinal}`;
  }

  async open(name: string): Promise<Readable | undefined> {
    const entry = this.#index.resolve(name);
    return entry === undefined ? undefined : this.#stream(entry);
  }

  async close(): Promise<void> {}

  #stream(entry: TarEntry): Readable {
    // NOTE: each call decompresses the archive from its start, so opening the last of n layers
    // costs a pass over the whole archive. Users avoid this by decompressing the archive once.
    this.#logger.debug('re-reading gzip-compressed archive up to member', { archive: this.path, member: entry.name, ordinal: entry.ordinal });
    return Readable.from(memberChunks(this.path, entry));
  }
}

/** Opens the decompressing tar parser on the archive; errors of every stage reach the parser. */
function openExtract(path: string): { source: Readable; entries: AsyncIterable<ExtractEntry> } {
  // Large reads and output chunks: each one is a round trip to the thread pool.
  const source = createReadStream(path, { highWaterMark: 1024 * 1024 });
  // tar-stream reads v7 headers, which lack the ustar magic, only with this option; its types omit it.
  const extract = tarExtract({ allowUnknownFormat: true } as Parameters<typeof tarExtract>[0]);
  pipeline(source, createGunzip({ chunkSize: 256 * 1024 }), extract, () => {
    // The iterator below reports the same error.
  });
  return { source, entries: extract };
}

async function indexStream(path: string, index: TarIndex, cache: Map<number, Buffer>): Promise<void> {
  const { source, entries } = openExtract(path);
  let cachedBytes = 0;
  let current: { name: string; size: number; present: number } | undefined;

  try {
    for await (const entry of entries) {
      const header = entry.header;
      const size = header.size ?? 0;
      current = { name: header.name, size, present: 0 };

      // Only members that start like JSON are kept; the first chunk decides.
      let keep = header.type === 'file' && size <= MAX_JSON_BYTES && cachedBytes + size <= MAX_CACHED_BYTES;
      const chunks: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        if (current.present === 0) keep &&= startsLikeJson(chunk);
        current.present += chunk.length;
        if (keep) chunks.push(chunk);
      }

      // An entry is recorded only once all its data has arrived, so a truncated one is absent.
      const ordinal = index.add({ rawName: header.name, type: entryTypeOf(header), size, dataOffset: -1, linkName: header.linkname ?? '' });
      if (chunks.length > 0) {
        const data = Buffer.concat(chunks);
        cache.set(ordinal, data);
        cachedBytes += data.length;
      }
      current = undefined;
    }
  } catch (error) {
    if (error instanceof ImageError) throw error;
    if (!isTruncation(error)) throw streamError(path, current?.name, error);
    index.truncation = current === undefined ? {} : { member: current.name, declared: current.size, present: current.present };
  } finally {
    source.destroy();
  }
}

/** Yields the data of one member by decompressing the archive from its start. */
async function* memberChunks(path: string, target: TarEntry): AsyncGenerator<Buffer> {
  const { source, entries } = openExtract(path);
  let ordinal = 0;
  try {
    for await (const entry of entries) {
      if (ordinal++ === target.ordinal) {
        yield* entry as AsyncIterable<Buffer>;
        return;
      }
      entry.resume();
    }
  } catch (error) {
    throw streamError(path, target.name, error);
  } finally {
    source.destroy();
  }
  throw new ImageError(`${path}: member ${target.name} not found when reading the archive again; the file changed while it was being read`, path);
}

function startsLikeJson(chunk: Buffer): boolean {
  const text = chunk.subarray(0, 64).toString('latin1').trimStart();
  return text.startsWith('{') || text.startsWith('[');
}

function entryTypeOf(header: Header): TarEntryType {
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'link':
      return 'hardlink';
    case 'symlink':
      return 'symlink';
    case 'directory':
      return 'directory';
    default:
      return 'other';
  }
}

/** Returns true for the errors zlib and tar-stream raise when the input ends too early. */
function isTruncation(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'Z_BUF_ERROR' || errorMessage(error) === 'Unexpected end of data';
}

function streamError(path: string, member: string | undefined, error: unknown): ImageError {
  if (error instanceof ImageError) return error;
  const where = member === undefined ? '' : ` in member ${member}`;
  if (isTruncation(error)) {
    return new ImageError(`${path}: gzip-compressed archive is truncated${where}; save or copy the archive again`, path, { cause: error });
  }
  return new ImageError(`${path}: cannot read gzip-compressed archive${where}: ${errorMessage(error)}`, path, { cause: error });
}
