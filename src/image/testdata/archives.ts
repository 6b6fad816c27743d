/**
 * Builders for small image archives and layouts that the image tests write to a temporary
 * directory: valid ones and hostile ones (unsafe names, link loops, lying headers).
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';

import { extract, pack, type Header } from 'tar-stream';

export interface ArchiveEntry {
  readonly name: string;
  readonly data?: string | Buffer;
  readonly type?: Header['type'];
  readonly linkname?: string;
}

/** Packs the entries, in order, into an uncompressed tar. */
export async function buildTar(entries: readonly ArchiveEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of archive) chunks.push(Buffer.from(chunk as Uint8Array));
  })();

  for (const entry of entries) {
    const data = entry.data === undefined ? Buffer.alloc(0) : Buffer.from(entry.data);
    const header = {
      name: entry.name,
      type: entry.type ?? 'file',
      ...(entry.linkname === undefined ? {} : { linkname: entry.linkname }),
      mtime: new Date(0),
    };
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error | null): void => (error ? reject(error) : resolve());
      if (entry.type === 'symlink' || entry.type === 'link') archive.entry(header, settle);
      else archive.entry(header, data, settle);
    });
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

/**
 * Overwrites the size field of the header at `offset` with `size` as octal, or as GNU base-256
 * when `base256` is set, and fixes the checksum, so the header lies about its data.
 */
export function patchHeaderSize(tar: Buffer, offset: number, size: bigint, base256 = false): void {
  const field = tar.subarray(offset + 124, offset + 136);
  if (base256) {
    field.fill(0);
    let value = size;
    for (let i = 11; i >= 1; i--) {
      field[i] = Number(value & 0xffn);
      value >>= 8n;
    }
    field[0] = 0x80;
  } else {
    field.write(`${size.toString(8).padStart(11, '0')}\0`, 'latin1');
  }

  const block = tar.subarray(offset, offset + 512);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A blob of an OCI layout: its bytes and the digest that names it. */
export interface Blob {
  readonly digest: string;
  readonly size: number;
  readonly data: Buffer;
  readonly member: string;
}

export function blob(content: string | Buffer | object): Blob {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(typeof content === 'string' ? content : JSON.stringify(content));
  const hex = sha256Hex(data);
  return { digest: `sha256:${hex}`, size: data.length, data, member: `blobs/sha256/${hex}` };
}

/** Builds a one-layer image: a tar layer, its config and an OCI manifest, all as blobs. */
export async function tinyImage(options: { architecture?: string; variant?: string; createdBy?: string } = {}): Promise<{
  layer: Blob;
  config: Blob;
  manifest: Blob;
}> {
  const layer = blob(await buildTar([{ name: 'etc/hostname', data: 'tiny\n' }]));
  const config = blob({
    architecture: options.architecture ?? 'amd64',
    os: 'linux',
    ...(options.variant === undefined ? {} : { variant: options.variant }),
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
    history: [{ created_by: options.createdBy ?? 'COPY hostname /etc/' }, { created_by: 'CMD ["sh"]', empty_layer: true }],
  });
  const manifest = blob({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer.digest, size: layer.size }],
  });
  return { layer, config, manifest };
}

/** Returns `index.json` content listing the manifests. */
export function indexJson(manifests: readonly object[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
}

/** Returns the archive entries of an OCI layout with the given index and blobs. */
export function layoutEntries(index: string, blobs: readonly Blob[]): ArchiveEntry[] {
  return [
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', data: index },
    ...blobs.map((b) => ({ name: b.member, data: b.data })),
  ];
}

/** Creates a temporary directory that the test removes with `dispose`. */
export async function temporaryDirectory(): Promise<{ path: string; file(name: string, data: Buffer | string): Promise<string>; dispose(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'strata-image-test-'));
  return {
    path,
    async file(name, data) {
      const target = join(path, name);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, data);
      return target;
    },
    dispose: () => rm(path, { recursive: true, force: true }),
  };
}

/**
 * Reads the members of at most `maxBytes` from a tar or gzip-compressed tar with tar-stream, as a
 * reference that does not share code with the archive readers under test.
 */
export async function readSmallMembers(path: string, maxBytes = 1024 * 1024): Promise<Map<string, Buffer>> {
  const handle = await open(path, 'r');
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0);
  await handle.close();

  const source = createReadStream(path);
  const parser = extract();
  (magic[0] === 0x1f && magic[1] === 0x8b ? source.pipe(createGunzip()) : source).pipe(parser);

  const members = new Map<string, Buffer>();
  for await (const entry of parser) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(Buffer.from(chunk as Uint8Array));
    if (entry.header.type === 'file' && entry.header.size <= maxBytes) members.set(entry.header.name.replace(/^\.\//, ''), Buffer.concat(chunks));
  }
  return members;
}
