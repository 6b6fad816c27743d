/**
 * Content sources of the generated layers: the data archives of Debian packages, the real root
 * filesystem layer of a Debian image, and single files such as a dpkg `status`.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';

import { extract } from 'tar-stream';

import { openImage } from '../../../src/image/index.js';
import { decompress } from '../../../src/layer/decompress.js';
import { waitForExit } from '../process.js';

/** An uncompressed tar stream and a promise that settles when its producer has finished cleanly. */
export interface OpenedTar {
  readonly stream: Readable;
  readonly done: Promise<void>;
}

export interface TarSource {
  readonly kind: 'tar';
  /** Short description for the layer history and error messages, e.g. `deb bash`. */
  readonly label: string;
  /** Prefix put before every entry name (and hard link target), so copies of one tree do not overlap. */
  readonly prefix?: string;
  /** Regular files larger than this many bytes, and all hard links, are left out. */
  readonly maxFileSize?: number;
  open(): Promise<OpenedTar>;
}

export interface TreeOptions {
  readonly prefix?: string;
  readonly maxFileSize?: number;
}

export interface FileSource {
  readonly kind: 'file';
  readonly label: string;
  /** Path inside the layer, e.g. `var/lib/dpkg/status`. */
  readonly name: string;
  readonly data: Buffer;
}

export type LayerSource = TarSource | FileSource;

/** Returns the file tree of a `.deb` as a source, read through `dpkg-deb --fsys-tarfile`. */
export function debSource(path: string, packageName: string, options: TreeOptions = {}): TarSource {
  return {
    kind: 'tar',
    label: describe(`deb ${packageName}`, options),
    ...options,
    async open() {
      const child = spawn('dpkg-deb', ['--fsys-tarfile', path], { stdio: ['ignore', 'pipe', 'pipe'] });
      const stderr: Buffer[] = [];
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      const done = waitForExit(child, `dpkg-deb --fsys-tarfile ${path}`, () => Buffer.concat(stderr).toString('utf8'));
      return { stream: child.stdout, done };
    },
  };
}

/** Returns layer `layerIndex` of an image archive or layout as a source, decompressed. */
export function imageLayerSource(imagePath: string, layerIndex: number, options: TreeOptions = {}): TarSource {
  return {
    kind: 'tar',
    label: describe(`layer ${layerIndex} of ${imagePath}`, options),
    ...options,
    async open() {
      const image = await openImage(imagePath);
      const layer = image.layers[layerIndex];
      if (layer === undefined) {
        await image.close();
        throw new Error(`${imagePath} has ${image.layers.length} layers, so layer ${layerIndex} does not exist`);
      }
      const raw = await image.openLayer(layer);
      const stream = Readable.from(decompress(raw, () => undefined));
      const done = finished(stream).finally(() => image.close());
      return { stream, done };
    },
  };
}

/** Reads the file at `path` into memory as a source; meant for small files such as a dpkg `status`. */
export async function fileSource(name: string, path: string): Promise<FileSource> {
  return { kind: 'file', label: `file ${name}`, name, data: await readFile(path) };
}

/** Returns true when `source` keeps the entry with this type and size. */
export function keepsEntry(source: TarSource, type: string, size: number): boolean {
  if (source.maxFileSize === undefined) return true;
  if (type === 'link') return false;
  return !(type === 'file' || type === 'contiguous-file') || size <= source.maxFileSize;
}

/** Counts the regular files of a source that it keeps, and their bytes, by reading it once. */
export async function measureTree(source: TarSource): Promise<{ bytes: number; files: number }> {
  const { stream, done } = await source.open();
  const parser = extract();
  const feeding = pipeline(stream, parser);
  let bytes = 0;
  let files = 0;
  for await (const entry of parser) {
    const { type, size } = entry.header;
    if ((type === 'file' || type === 'contiguous-file') && keepsEntry(source, type, size)) {
      bytes += size;
      files++;
    }
    entry.resume();
  }
  await feeding;
  await done;
  return { bytes, files };
}

function describe(label: string, options: TreeOptions): string {
  const parts = [label];
  if (options.maxFileSize !== undefined) parts.push(`files up to ${options.maxFileSize} bytes`);
  if (options.prefix !== undefined) parts.push(`under ${options.prefix}`);
  return parts.join(', ');
}
