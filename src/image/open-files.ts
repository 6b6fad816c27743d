/**
 * Detection of what `--input` points at, by content: an OCI layout directory, an uncompressed tar
 * archive or a gzip-compressed one.
 *
 * @module
 */

import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { ImageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ImageFiles } from './files.js';
import { LayoutDirectory } from './layout-dir.js';
import { TarFileArchive } from './tar-file.js';
import { GzipTarArchive } from './tar-gzip.js';
import { BLOCK_SIZE, TarHeaderError, decodeTarHeader } from './tar-header.js';

/** Magic numbers of compressions that tar archives come in but that Strata does not read. */
const UNSUPPORTED_COMPRESSIONS: readonly { name: string; magic: readonly number[] }[] = [
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68] },
];

export interface OpenedFiles {
  readonly files: ImageFiles;
  readonly isDirectory: boolean;
}

/** Opens the layout or archive at `input`. Throws ImageError when it is neither. */
export async function openImageFiles(input: string, logger: Logger): Promise<OpenedFiles> {
  const info = await statInput(input);

  if (info.isDirectory()) {
    const layoutFile = await stat(join(input, 'oci-layout')).catch(() => undefined);
    if (!layoutFile?.isFile()) {
      throw new ImageError(
        `${input}: directory is not an OCI image layout because it has no oci-layout file; pass an OCI layout directory or the image archive itself (an unpacked docker save folder is not read)`,
        input,
      );
    }
    logger.debug('detected OCI layout directory', { input });
    return { files: new LayoutDirectory(input, logger), isDirectory: true };
  }
  if (!info.isFile()) {
    throw new ImageError(`${input}: not a regular file or directory; pass an image archive or an OCI layout directory`, input);
  }

  const head = await readHead(input);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    logger.debug('detected gzip-compressed archive', { input });
    return { files: await GzipTarArchive.open(input, logger), isDirectory: false };
  }

  for (const { name, magic } of UNSUPPORTED_COMPRESSIONS) {
    if (magic.every((byte, i) => head[i] === byte)) {
      throw new ImageError(`${input}: archive is ${name}-compressed, which Strata does not read; decompress it or save it as .tar or .tar.gz`, input);
    }
  }

  if (!looksLikeTar(head)) {
    throw new ImageError(`${input}: not a tar archive, a gzip-compressed tar archive or an OCI layout directory`, input);
  }
  logger.debug('detected tar archive', { input });
  return { files: await TarFileArchive.open(input, logger), isDirectory: false };
}

async function statInput(input: string): Promise<Stats> {
  try {
    return await stat(input);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ImageError(`${input}: image not found; pass the path of a docker save or OCI archive, or of an OCI layout directory`, input, {
        code: 'IMAGE_NOT_FOUND',
        cause: error,
      });
    }
    throw new ImageError(`${input}: cannot read image: ${(error as Error).message}`, input, { cause: error });
  }
}

async function readHead(input: string): Promise<Buffer> {
  const handle = await open(input, 'r').catch((error: unknown) => {
    throw new ImageError(`${input}: cannot read image: ${(error as Error).message}`, input, { cause: error });
  });
  try {
    const buffer = Buffer.alloc(BLOCK_SIZE);
    const { bytesRead } = await handle.read(buffer, 0, BLOCK_SIZE, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Returns true when the first block is a valid tar header, or all zeros as in an empty archive. */
function looksLikeTar(head: Buffer): boolean {
  if (head.length < BLOCK_SIZE) return false;
  try {
    decodeTarHeader(head);
    return true;
  } catch (error) {
    if (error instanceof TarHeaderError) return false;
    throw error;
  }
}
