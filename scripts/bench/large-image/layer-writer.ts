/**
 * Writes one gzip layer blob from a list of sources as a stream. Entries go through a tar packer.
 * The tar bytes are hashed for the diffID and piped into the `gzip` program, whose output is hashed
 * for the digest and written to a file named by it. No layer is held in memory.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { once } from 'node:events';

import { extract, pack, type Header, type Pack } from 'tar-stream';

import { waitForExit } from '../process.js';
import { keepsEntry, type LayerSource, type TarSource } from './layer-sources.js';

export interface WrittenLayer {
  /** `sha256:` of the gzip blob. */
  readonly digest: string;
  /** `sha256:` of the uncompressed tar. */
  readonly diffID: string;
  /** Blob size in bytes. */
  readonly size: number;
  readonly uncompressedSize: number;
  /** Regular files in the layer. */
  readonly files: number;
  /** Tar entries of any type. */
  readonly entries: number;
}

/** The header argument of `Pack.entry`: a name plus any other header fields. */
type EntryHeader = Partial<Header> & Pick<Header, 'name'>;

interface EntryCounts {
  files: number;
  entries: number;
}

/** Modification time of files the generator adds itself, fixed so that the blobs are reproducible. */
const FIXED_MTIME = new Date('2025-01-01T00:00:00Z');

/** Packs `sources` in order into a gzip blob under `blobDir` (`blobs/sha256`) and describes it. */
export async function writeLayer(sources: readonly LayerSource[], blobDir: string): Promise<WrittenLayer> {
  const tar = pack();
  // -n leaves the name and time out of the gzip header, so equal content gives an equal digest.
  const gzip = spawn('gzip', ['-n', '-6', '-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const diffHash = createHash('sha256');
  const digestHash = createHash('sha256');
  const sizes = { uncompressed: 0, compressed: 0 };
  const counts: EntryCounts = { files: 0, entries: 0 };
  const temporary = join(blobDir, `.partial-${process.pid}-${randomBytes(4).toString('hex')}`);

  const filling = fillPack(tar, sources, counts).then(
    () => tar.finalize(),
    (error: unknown) => {
      tar.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    },
  );
  await Promise.all([
    filling,
    pipeline(tar, hashing(diffHash, (length) => (sizes.uncompressed += length)), gzip.stdin),
    pipeline(gzip.stdout, hashing(digestHash, (length) => (sizes.compressed += length)), createWriteStream(temporary)),
    waitForExit(gzip, 'gzip -n -6 -c'),
  ]);

  const hex = digestHash.digest('hex');
  await rename(temporary, join(blobDir, hex));
  return {
    digest: `sha256:${hex}`,
    diffID: `sha256:${diffHash.digest('hex')}`,
    size: sizes.compressed,
    uncompressedSize: sizes.uncompressed,
    files: counts.files,
    entries: counts.entries,
  };
}

function hashing(hash: Hash, count: (length: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      count(chunk.length);
      callback(null, chunk);
    },
  });
}

async function fillPack(tar: Pack, sources: readonly LayerSource[], counts: EntryCounts): Promise<void> {
  for (const source of sources) {
    if (source.kind === 'file') {
      await addEntry(tar, { name: source.name, type: 'file', size: source.data.length, mode: 0o644, mtime: FIXED_MTIME }, [source.data]);
      counts.files++;
      counts.entries++;
    } else {
      await copyTar(tar, source, counts);
    }
  }
}

/** Copies every entry of a tar source into the packer, renamed under the source's prefix. */
async function copyTar(tar: Pack, source: TarSource, counts: EntryCounts): Promise<void> {
  const { stream, done } = await source.open();
  const parser = extract();
  const feeding = pipeline(stream, parser);
  try {
    for await (const entry of parser) {
      if (!keepsEntry(source, entry.header.type, entry.header.size)) {
        entry.resume();
        continue;
      }
      await addEntry(tar, renamed(entry.header, source.prefix), entry);
      counts.entries++;
      if (entry.header.type === 'file' || entry.header.type === 'contiguous-file') counts.files++;
    }
    await feeding;
    await done;
  } catch (error) {
    throw new Error(`reading ${source.label} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function renamed(header: Header, prefix: string | undefined): EntryHeader {
  if (prefix === undefined) return header;
  const under = (name: string) => `${prefix}/${name.replace(/^(\.\/|\/)+/, '')}`;
  return {
    ...header,
    name: under(header.name),
    // Hard links name another entry of the same archive, so they move with it; symlinks stay as they are.
    ...(header.type === 'link' ? { linkname: under(header.linkname) } : {}),
  };
}

/** Writes one entry, with backpressure, and resolves when the packer has taken all of its data. */
async function addEntry(tar: Pack, header: EntryHeader, data: AsyncIterable<unknown> | Iterable<Buffer>): Promise<void> {
  let sink: ReturnType<Pack['entry']> | undefined;
  const written = new Promise<void>((resolve, reject) => {
    sink = tar.entry(header, (error) => (error ? reject(error) : resolve()));
  });
  if (sink === undefined) throw new Error(`tar packer returned no stream for ${header.name}`);
  for await (const chunk of data) {
    if (!sink.write(chunk)) await once(sink, 'drain');
  }
  // streamx's typings require an argument; undefined ends the stream without writing.
  sink.end(undefined);
  await written;
}
