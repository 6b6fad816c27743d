/**
 * The read-only file access that image resolution needs, implemented by an OCI layout directory,
 * an uncompressed tar archive and a gzip-compressed tar archive.
 *
 * @module
 */

import type { BigIntStats } from 'node:fs';
import type { Readable } from 'node:stream';

import { ImageError } from '../errors.js';

import type { Truncation } from './tar-index.js';

/** Maximum size of a JSON document (manifest, index, config) read into memory. */
export const MAX_JSON_BYTES = 8 * 1024 * 1024;

export interface ImageFiles {
  /** The archive file or layout directory. */
  readonly path: string;
  /** Set when the archive ends before an entry's data does. */
  readonly truncation: Truncation | undefined;
  /** Returns true when the member exists, without following links. */
  has(name: string): boolean | Promise<boolean>;
  /**
   * Reads a whole member, following links. Returns undefined when it is missing. Throws ImageError
   * when it is larger than `maxBytes`.
   */
  read(name: string, maxBytes: number): Promise<Buffer | undefined>;
  /** Returns the stored size of a member, following links, or undefined when it is missing. */
  size(name: string): Promise<number | undefined>;
  /**
   * Returns a text that changes whenever the member's bytes may have changed: the device, inode,
   * size, modification and change times of the file that contains it, and its place in that file.
   * Returns undefined when the member is missing.
   */
  identity(name: string): Promise<string | undefined>;
  /** Streams a member's bytes, following links. Returns undefined when it is missing. */
  open(name: string): Promise<Readable | undefined>;
  close(): Promise<void>;
}

/** Throws ImageError when a metadata document is larger than the limit of `ImageFiles.read`. */
export function checkMetadataSize(archive: string, member: string, size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new ImageError(`${archive}: ${member} is ${size} bytes, above the ${maxBytes}-byte limit for image metadata`, archive);
  }
}

/**
 * Returns the identity of a file from its bigint stat. The change time (ctime) cannot be set back
 * by a user, so a rewrite of the file changes the identity even when its mtime is restored.
 */
export function fileIdentity(info: BigIntStats): string {
  return [info.dev, info.ino, info.size, info.mtimeNs, info.ctimeNs].join(':');
}

/** Reads a stream into one buffer; used only for members already checked against a size limit. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
