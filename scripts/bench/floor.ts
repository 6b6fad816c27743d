/**
 * The decompression floor of an image: one sequential `gzip -dc` (or `zstd -dc`, or `cat` for
 * uncompressed layers) over every layer blob, on one core. No scanner that reads every layer can
 * finish faster on one core, so the scan time is stated as a multiple of it.
 *
 * @module
 */

import { createWriteStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { openImage } from '../../src/image/index.js';
import { detectCompression, type Compression } from '../../src/layer/index.js';
import type { BenchImage } from './images.js';
import { shellQuote } from './process.js';

export interface FloorPlan {
  /** sh command line that decompresses every blob to /dev/null. */
  readonly command: string;
  /** Summary of the blobs the command reads, e.g. `3 gzip blobs` or `whole archive (gzip)`. */
  readonly description: string;
}

const DECODERS: Readonly<Record<Compression, string>> = { gzip: 'gzip -dc', zstd: 'zstd -dcq', none: 'cat' };

/**
 * Plans the floor command. Layer blobs inside an archive are copied to `workDir` first, and blobs
 * of a layout directory are read in place. A gzip-compressed archive is decompressed as a whole,
 * because that one gzip stream contains all of its (uncompressed) layers.
 */
export async function planFloor(image: BenchImage, workDir: string): Promise<FloorPlan> {
  const input = image.floorInput ?? image.input;
  const isDirectory = (await stat(input)).isDirectory();
  if (!isDirectory && (await compressionOf(input)) === 'gzip') {
    return { command: `gzip -dc ${shellQuote(input)} > /dev/null`, description: 'whole archive (gzip)' };
  }

  const blobs = await layerBlobFiles(input, image.platform, isDirectory, workDir);
  const groups: { compression: Compression; paths: string[] }[] = [];
  for (const path of blobs) {
    const compression = await compressionOf(path);
    const last = groups.at(-1);
    if (last?.compression === compression) last.paths.push(path);
    else groups.push({ compression, paths: [path] });
  }

  const command = groups.map((group) => `${DECODERS[group.compression]} ${group.paths.map(shellQuote).join(' ')} > /dev/null`).join('; ');
  const counts = new Map<Compression, number>();
  for (const group of groups) counts.set(group.compression, (counts.get(group.compression) ?? 0) + group.paths.length);
  const description = [...counts].map(([compression, count]) => describeBlobs(compression, count)).join(', ');
  return { command, description };
}

/** Returns e.g. `3 gzip blobs` or `1 uncompressed blob`. */
function describeBlobs(compression: Compression, count: number): string {
  const kind = compression === 'none' ? 'uncompressed' : compression;
  return `${count} ${kind} blob${count === 1 ? '' : 's'}`;
}

/** Returns a file path for every layer blob, in manifest order. */
async function layerBlobFiles(input: string, platform: string | undefined, isDirectory: boolean, workDir: string): Promise<string[]> {
  const source = await openImage(input, platform === undefined ? {} : { platform });
  try {
    if (isDirectory) {
      return source.layers.map((layer) => {
        if (layer.blobPath === undefined) throw new Error(`layer ${layer.index} of ${input} has no blob path`);
        return join(input, layer.blobPath);
      });
    }
    const dir = join(workDir, `blobs-${Date.now()}-${Math.random().toString(16).slice(2)}`);
    await mkdir(dir, { recursive: true });
    const paths: string[] = [];
    for (const layer of source.layers) {
      const path = join(dir, `layer-${layer.index}`);
      await pipeline(await source.openLayer(layer), createWriteStream(path));
      paths.push(path);
    }
    return paths;
  } finally {
    await source.close();
  }
}

async function compressionOf(path: string): Promise<Compression> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    return detectCompression(head.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}
