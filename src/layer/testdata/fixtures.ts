/**
 * Test helpers for the layer reader: tars built in memory, a hand-made Zstandard encoder, and
 * access to the layer blobs inside image archives without the image module.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { extract as createExtract, pack } from 'tar-stream';

import type { LayerDescriptor } from '../../types.js';

export interface EntrySpec {
  readonly name: string;
  readonly content?: string | Buffer;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link';
  readonly linkname?: string;
  readonly mode?: number;
}

/** Builds a tar with tar-stream, ending in the two zero blocks of the end-of-archive marker. */
export async function buildTar(entries: readonly EntrySpec[]): Promise<Buffer> {
  const archive = pack();
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const header = { name: entry.name, type, mode: entry.mode ?? (type === 'directory' ? 0o755 : 0o644), ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }) };
    archive.entry(header, type === 'file' ? (entry.content ?? '') : '');
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Encodes `data` as one Zstandard frame of raw (stored) blocks, as RFC 8878 section 3.1.1 defines.
 * The frame starts with the magic number and the frame header descriptor 0xA0, which means a
 * 4-byte content size, a single segment, no checksum and no dictionary. The content size follows.
 * Each block has a 3-byte little-endian header `size << 3 | type << 1 | last`, where type 0 means
 * raw, and carries at most 128 KiB.
 */
export function zstdRawFrame(data: Buffer): Buffer {
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0]);
  header.writeUInt32LE(data.length, 5);
  const parts: Buffer[] = [header];
  const maxBlock = 128 * 1024;
  let offset = 0;
  do {
    const size = Math.min(maxBlock, data.length - offset);
    const last = offset + size >= data.length ? 1 : 0;
    const blockHeader = (size << 3) | last;
    parts.push(Buffer.from([blockHeader & 0xff, (blockHeader >> 8) & 0xff, (blockHeader >> 16) & 0xff]));
    parts.push(data.subarray(offset, offset + size));
    offset += size;
  } while (offset < data.length);
  return Buffer.concat(parts);
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Returns a stream of `data` in chunks of `chunkSize` bytes, to exercise chunk boundaries. */
export function streamOf(data: Buffer, chunkSize = 64 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += chunkSize) chunks.push(data.subarray(offset, offset + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

/** Describes a blob whose digest, size and diffID are all correct; `overrides` break them. */
export function descriptorFor(blob: Buffer, tar: Buffer, overrides: Partial<LayerDescriptor> = {}): LayerDescriptor {
  return { index: 0, digest: sha256(blob), diffID: sha256(tar), size: blob.length, ...overrides };
}

/**
 * Opens one member of an image archive as a stream. The rest of the archive is skipped; the
 * returned stream fails if the archive is cut short inside the member.
 */
export function openArchiveMember(archive: string, member: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const extract = createExtract();
    let found = false;
    extract.on('entry', (header, stream, next) => {
      if (found || header.name !== member) {
        stream.on('end', () => next());
        stream.resume();
        return;
      }
      found = true;
      stream.on('end', () => next());
      resolve(Readable.from(stream, { objectMode: false }));
    });
    pipeline(createReadStream(archive), extract).then(
      () => {
        if (!found) reject(new Error(`${member} not found in ${archive}`));
      },
      (error: unknown) => {
        if (!found) reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export async function readArchiveMember(archive: string, member: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await openArchiveMember(archive, member)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readJSON<T>(archive: string, member: string): Promise<T> {
  return JSON.parse((await readArchiveMember(archive, member)).toString('utf8')) as T;
}

interface Descriptor {
  readonly digest: string;
  readonly size: number;
  readonly mediaType?: string;
}

interface ImageConfigJSON {
  readonly rootfs: { readonly diff_ids: readonly string[] };
}

/**
 * Lists the layers of an OCI archive's first manifest, following nested image indexes, as the
 * image module would.
 */
export async function ociArchiveLayers(archive: string): Promise<LayerDescriptor[]> {
  const blobPath = (digest: string): string => `blobs/${digest.replace(':', '/')}`;
  let document = await readJSON<{ manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] }>(archive, 'index.json');
  while (document.manifests !== undefined) {
    const first = document.manifests[0];
    if (first === undefined) throw new Error(`${archive} has an empty image index`);
    document = await readJSON(archive, blobPath(first.digest));
  }
  const manifest = { config: document.config as Descriptor, layers: document.layers ?? [] };
  const config = await readJSON<ImageConfigJSON>(archive, blobPath(manifest.config.digest));
  return manifest.layers.map((layer, index) => ({
    index,
    digest: layer.digest,
    diffID: config.rootfs.diff_ids[index] ?? '',
    size: layer.size,
    ...(layer.mediaType === undefined ? {} : { mediaType: layer.mediaType }),
    blobPath: blobPath(layer.digest),
  }));
}

/** Lists the layers of a legacy `docker save` archive, whose layers have no blob digest. */
export async function dockerSaveLayers(archive: string): Promise<LayerDescriptor[]> {
  const [manifest] = await readJSON<{ Config: string; Layers: string[] }[]>(archive, 'manifest.json');
  if (manifest === undefined) throw new Error(`${archive} has an empty manifest.json`);
  const config = await readJSON<ImageConfigJSON>(archive, manifest.Config);
  return manifest.Layers.map((path, index) => ({ index, diffID: config.rootfs.diff_ids[index] ?? '', blobPath: path }));
}
