/**
 * The result of resolving an archive or layout, before the ImageSource is built, and the helpers
 * that the OCI and Docker resolvers share for reading metadata members.
 *
 * @module
 */

import { ImageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ImageConfig, Platform } from '../types.js';
import { blobPath, verifyBlob } from './digest.js';
import type { Descriptor } from './documents.js';
import { MAX_JSON_BYTES, type ImageFiles } from './files.js';
import type { Truncation } from './tar-index.js';

export type ImageFormat = 'docker-archive' | 'oci-archive' | 'oci-layout';

/** A layer as the manifest names it, before the config's diffIDs and history are added. */
export interface ResolvedLayer {
  /** Member name inside the archive or layout. */
  readonly member: string;
  readonly digest?: string;
  readonly size?: number;
  readonly mediaType?: string;
}

export interface ResolvedImage {
  readonly manifestDigest?: string;
  /** Member the config was read from, for messages. */
  readonly configMember: string;
  readonly configBytes: Buffer;
  readonly config: ImageConfig;
  readonly layers: readonly ResolvedLayer[];
  readonly repoTags: readonly string[];
  readonly platform?: Platform;
}

export interface ResolveOptions {
  /** Platform from `--platform`, if the user passed one. */
  readonly requested?: Platform;
  /** Platform chosen when none is requested and the image offers it. */
  readonly host: Platform;
  readonly logger: Logger;
}

/** Returns a sentence on where the archive ends early, for messages about missing members. */
export function describeTruncation(truncation: Truncation): string {
  if (truncation.member === undefined) return 'the archive is truncated inside a tar header';
  const counts = truncation.declared === undefined ? '' : ` (${truncation.present ?? 0} of ${truncation.declared} bytes present)`;
  return `the archive is truncated inside member ${truncation.member}${counts}`;
}

/** Returns the ImageError for a member that `label` needs but the archive or layout lacks. */
export function missingMemberError(files: ImageFiles, name: string, label: string): ImageError {
  const reason = files.truncation === undefined
    ? 'the archive or layout is incomplete'
    : describeTruncation(files.truncation);
  return new ImageError(`${files.path}: ${label} (${name}) not found: ${reason}; save or copy the image again`, files.path, {
    code: 'IMAGE_INVALID',
  });
}

/** Reads a metadata member of at most MAX_JSON_BYTES, throwing ImageError when it is missing. */
export async function readMetadataMember(files: ImageFiles, name: string, label: string): Promise<Buffer> {
  const bytes = await files.read(name, MAX_JSON_BYTES);
  if (bytes === undefined) throw missingMemberError(files, name, label);
  return bytes;
}

/** Reads a blob that `descriptor` names and checks it against the descriptor's digest and size. */
export async function readBlob(files: ImageFiles, descriptor: Descriptor, label: string): Promise<Buffer> {
  const bytes = await readMetadataMember(files, blobPath(descriptor.digest), `${label} ${descriptor.digest.text}`);
  verifyBlob(bytes, descriptor.digest, descriptor.size, `${label} ${descriptor.digest.text}`, files.path);
  return bytes;
}
