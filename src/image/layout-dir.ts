/**
 * Member access for an OCI image layout directory (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`).
 * Only regular files inside the directory are read. A symbolic link may point to another file of
 * the layout, but one that leads out of it is rejected. So a hostile layout cannot make Strata
 * read, hash or quote files elsewhere on the host.
 *
 * @module
 */

import { constants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';

import { ImageError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { checkMetadataSize, fileIdentity, type ImageFiles } from './files.js';
import { normalizeMemberName } from './tar-index.js';

/**
 * Flags for opening a file that was already checked: O_NOFOLLOW fails if the file was replaced by
 * a link since, and O_NONBLOCK keeps a FIFO swapped in from blocking the open. Windows has neither.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** A regular file of the layout, after all links are resolved. */
interface LayoutFile {
  readonly realPath: string;
  readonly info: Stats;
}

export class LayoutDirectory implements ImageFiles {
  readonly path: string;
  readonly truncation = undefined;
  readonly #logger: Logger;
  #realRoot: Promise<string> | undefined;

  constructor(path: string, logger: Logger = silentLogger) {
    this.path = path;
    this.#logger = logger;
  }

  async has(name: string): Promise<boolean> {
    return (await this.#locate(name)) !== undefined;
  }

  async size(name: string): Promise<number | undefined> {
    return (await this.#locate(name))?.info.size;
  }

  async read(name: string, maxBytes: number): Promise<Buffer | undefined> {
    const opened = await this.#open(name);
    if (opened === undefined) return undefined;
    const { handle, size } = opened;
    try {
      checkMetadataSize(this.path, name, size, maxBytes);
      // Reads at most the size checked above, even if the file grows meanwhile. The caller's
      // digest check catches a file that changed.
      const buffer = Buffer.alloc(size);
      let filled = 0;
      while (filled < size) {
        const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  async identity(name: string): Promise<string | undefined> {
    const opened = await this.#open(name);
    if (opened === undefined) return undefined;
    try {
      return fileIdentity(await opened.handle.stat({ bigint: true }));
    } finally {
      await opened.handle.close();
    }
  }

  async open(name: string): Promise<Readable | undefined> {
    const opened = await this.#open(name);
    // Large reads: blobs are hundreds of megabytes, and each read is a round trip to the thread pool.
    return opened?.handle.createReadStream({ autoClose: true, highWaterMark: 1024 * 1024 });
  }

  async close(): Promise<void> {}

  /**
   * Returns the file that `name` resolves to, or undefined when it is missing or not a regular
   * file (a FIFO, device or directory). Throws ImageError when it resolves outside the layout.
   */
  async #locate(name: string): Promise<LayoutFile | undefined> {
    const realPath = await this.#realPathOf(name);
    if (realPath === undefined) return undefined;

    const info = await stat(realPath).catch((error: unknown) => this.#statFailed(name, error));
    if (info === undefined) return undefined;
    if (!info.isFile()) {
      this.#logger.debug('layout file is not a regular file; treating it as missing', { layout: this.path, file: name });
      return undefined;
    }

    // The file type is checked first, so a link to a device or FIFO anywhere reads as missing.
    const root = await this.#rootRealPath();
    const inside = relative(root, realPath);
    if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw new ImageError(
        `${this.path}: ${name} is a symbolic link to ${realPath}, which is outside the layout directory; Strata reads only files inside the layout, so replace the link with the file itself`,
        this.path,
      );
    }
    return { realPath, info };
  }

  /** Opens the file that #locate found, and checks that it is still the same regular file. */
  async #open(name: string): Promise<{ handle: FileHandle; size: number } | undefined> {
    const located = await this.#locate(name);
    if (located === undefined) return undefined;

    const handle = await open(located.realPath, OPEN_FLAGS).catch((error: unknown) => {
      throw new ImageError(`${this.path}: cannot open ${name}: ${(error as Error).message}`, this.path, { cause: error });
    });
    const info = await handle.stat();
    if (!info.isFile() || info.ino !== located.info.ino || info.dev !== located.info.dev) {
      await handle.close();
      throw new ImageError(`${this.path}: ${name} changed while Strata was reading the layout; copy the layout again and scan the copy`, this.path);
    }
    return { handle, size: info.size };
  }

  /** Returns the path with every link resolved, or undefined when `name` does not exist. */
  async #realPathOf(name: string): Promise<string | undefined> {
    if (normalizeMemberName(name) !== name) {
      // Names come from fixed file names and validated digests, so this guards against a bug.
      throw new ImageError(`${this.path}: rejected file name ${name}, which is not a plain path inside the layout`, this.path);
    }
    try {
      return await realpath(join(this.path, name));
    } catch (error) {
      return this.#statFailed(name, error);
    }
  }

  #rootRealPath(): Promise<string> {
    this.#realRoot ??= realpath(this.path).catch((error: unknown) => {
      throw new ImageError(`${this.path}: cannot read the layout directory: ${(error as Error).message}`, this.path, { cause: error });
    });
    return this.#realRoot;
  }

  /** Returns undefined for a missing file, including a dangling link, and throws ImageError otherwise. */
  #statFailed(name: string, error: unknown): undefined {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'ELOOP') {
      throw new ImageError(`${this.path}: ${name} is part of a symbolic link loop; fix or remove the links in the layout`, this.path, { cause: error });
    }
    throw new ImageError(`${this.path}: cannot read ${name}: ${(error as Error).message}`, this.path, { cause: error });
  }
}
