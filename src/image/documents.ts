/**
 * Parsing of the JSON documents of OCI and Docker v2 schema 2 images: image indexes (manifest
 * lists), image manifests and their descriptors. Parsing only checks shape; resolution decides
 * what to read next.
 *
 * @module
 */

import { ImageError } from '../errors.js';
import type { Platform } from '../types.js';
import { parseDigest, type Digest } from './digest.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** Layer media types whose blobs are filesystem tars, plain or compressed. */
const LAYER_MEDIA_TYPES = new Set([
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
]);

export type DocumentKind = 'index' | 'manifest';

/** Returns the document kind of a manifest media type, or undefined for any other media type. */
export function kindOfMediaType(mediaType: string): DocumentKind | undefined {
  if (mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList) return 'index';
  if (mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest) return 'manifest';
  return undefined;
}

export function isLayerMediaType(mediaType: string): boolean {
  return LAYER_MEDIA_TYPES.has(mediaType);
}

export function isConfigMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociConfig || mediaType === MEDIA_TYPES.dockerConfig;
}

export interface Descriptor {
  readonly mediaType?: string;
  readonly digest: Digest;
  readonly size?: number;
  readonly platform?: Platform;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface IndexDocument {
  readonly mediaType?: string;
  readonly manifests: readonly Descriptor[];
}

export interface ManifestDocument {
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns the document kind that the JSON's own fields show, for documents without a media type. */
export function sniffKind(document: unknown): DocumentKind | undefined {
  if (!isRecord(document)) return undefined;
  if (typeof document['mediaType'] === 'string') return kindOfMediaType(document['mediaType']);
  if (Array.isArray(document['manifests'])) return 'index';
  if (isRecord(document['config']) && Array.isArray(document['layers'])) return 'manifest';
  return undefined;
}

export function parseIndex(document: unknown, label: string, path: string): IndexDocument {
  const fail = (problem: string): never => {
    throw new ImageError(`${path}: ${label} is not a valid image index: ${problem}`, path);
  };
  if (!isRecord(document)) return fail('not a JSON object');
  if (document['schemaVersion'] !== 2) fail(`schemaVersion is ${JSON.stringify(document['schemaVersion'])}, expected 2`);
  const manifests = document['manifests'];
  if (!Array.isArray(manifests)) return fail('"manifests" is not an array');

  return {
    ...optionalString(document, 'mediaType', fail),
    manifests: manifests.map((item, i) => parseDescriptor(item, `manifests[${i}]`, fail)),
  };
}

export function parseManifest(document: unknown, label: string, path: string): ManifestDocument {
  const fail = (problem: string): never => {
    throw new ImageError(`${path}: ${label} is not a valid image manifest: ${problem}`, path);
  };
  if (!isRecord(document)) return fail('not a JSON object');
  if (document['schemaVersion'] !== 2) fail(`schemaVersion is ${JSON.stringify(document['schemaVersion'])}, expected 2`);
  const layers = document['layers'];
  if (!Array.isArray(layers)) return fail('"layers" is not an array');

  return {
    ...optionalString(document, 'mediaType', fail),
    config: parseDescriptor(document['config'], 'config', fail),
    layers: layers.map((item, i) => parseDescriptor(item, `layers[${i}]`, fail)),
  };
}

function parseDescriptor(value: unknown, field: string, fail: (problem: string) => never): Descriptor {
  if (!isRecord(value)) return fail(`${field} is not a JSON object`);

  const digest = parseDigest(value['digest']);
  if (digest === undefined) {
    return fail(`${field}.digest ${JSON.stringify(value['digest'])} is not a sha256 or sha512 digest`);
  }

  const size = value['size'];
  if (size !== undefined && !(Number.isSafeInteger(size) && (size as number) >= 0)) {
    fail(`${field}.size ${JSON.stringify(size)} is not a non-negative integer`);
  }

  return {
    ...optionalString(value, 'mediaType', (problem) => fail(`${field}.${problem}`)),
    digest,
    ...(typeof size === 'number' ? { size } : {}),
    ...parsePlatformField(value['platform'], field, fail),
    annotations: parseAnnotations(value['annotations'], field, fail),
  };
}

function parsePlatformField(value: unknown, field: string, fail: (problem: string) => never): { platform?: Platform } {
  if (value === undefined) return {};
  if (!isRecord(value) || typeof value['os'] !== 'string' || typeof value['architecture'] !== 'string') {
    return fail(`${field}.platform must be an object with string "os" and "architecture"`);
  }
  const variant = value['variant'];
  const platform: Platform = typeof variant === 'string' && variant !== ''
    ? { os: value['os'], architecture: value['architecture'], variant }
    : { os: value['os'], architecture: value['architecture'] };
  return { platform };
}

function parseAnnotations(value: unknown, field: string, fail: (problem: string) => never): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) return fail(`${field}.annotations is not a JSON object`);
  const annotations: Record<string, string> = {};
  for (const [key, text] of Object.entries(value)) {
    if (typeof text === 'string') annotations[key] = text;
  }
  return annotations;
}

function optionalString(record: Record<string, unknown>, key: 'mediaType', fail: (problem: string) => never): { mediaType?: string } {
  const value = record[key];
  if (value === undefined) return {};
  if (typeof value !== 'string') return fail(`${key} is not a string`);
  return { mediaType: value };
}
