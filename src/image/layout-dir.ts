/**
 * Member access for an OCI image layout directory (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`).
 *
 * @module
 */

import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

import { ImageError } from '../errors.js';
import type { ImageFiles } from './files.js';
import { normalizeMemberName } from './tar-index.js';

export class LayoutDirectory implements ImageFiles {
  readonly path: string;
  readonly truncation = undefined;

  constructor(path: string) {
    this.path = path;
  }

  async has(name: string): Promise<boolean> {
    return (await this.size(name)) !== undefined;
  }

  async size(name: string): Promise<number | undefined> {
    const info = await statOrUndefined(this.#pathOf(name));
    return info?.isFile() ? info.size : undefined;
  }

  async read(name: string, maxBytes: number): Promise<Buffer | undefined> {
    const size = await this.size(name);
    if (size === undefined) return undefined;
    if (size > maxBytes) {
      throw new ImageError(`${this.path}: ${name} is ${size} bytes, above the ${maxBytes}-byte limit for image metadata`, this.path);
    }
    return readFile(this.#pathOf(name));
  }

  async open(name: string): Promise<Readable | undefined> {
    if ((await this.size(name)) === undefined) return undefined;
    return createReadStream(this.#pathOf(name));
  }

  async close(): Promise<void> {}

  /** Names come from fixed file names and validated digests; this guards against any other. */
  #pathOf(name: string): string {
    if (normalizeMemberName(name) !== name) {
      throw new ImageError(`${this.path}: refusing to read ${name}, which is not a plain path inside the layout`, this.path);
    }
    return join(this.path, name);
  }
}

async function statOrUndefined(path: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ImageError(`${path}: cannot read: ${(error as Error).message}`, path, { cause: error });
  }
}
