/**
 * Writes the JSON documents of an OCI image layout (image-spec v1.1): the config, the manifest,
 * `index.json` and `oci-layout`, around layer blobs that are already in `blobs/sha256`.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { WrittenLayer } from './layer-writer.js';

export interface LayoutLayer {
  readonly layer: WrittenLayer;
  /** Goes into the config history, where scanners show it as the step that made the layer. */
  readonly createdBy: string;
}

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
}

const MEDIA_TYPE = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  gzipLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

const CREATED = '2025-01-01T00:00:00Z';

/** Writes config, manifest, `index.json` and `oci-layout` into `dir`; returns the manifest digest. */
export async function writeLayoutDocuments(dir: string, layers: readonly LayoutLayer[], reference: string): Promise<string> {
  const config = {
    created: CREATED,
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['bash'] },
    rootfs: { type: 'layers', diff_ids: layers.map(({ layer }) => layer.diffID) },
    history: layers.map(({ createdBy }) => ({ created: CREATED, created_by: createdBy })),
  };
  const configDescriptor = await writeJsonBlob(dir, MEDIA_TYPE.config, config);

  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.manifest,
    config: configDescriptor,
    layers: layers.map(({ layer }) => ({ mediaType: MEDIA_TYPE.gzipLayer, digest: layer.digest, size: layer.size })),
  };
  const manifestDescriptor = await writeJsonBlob(dir, MEDIA_TYPE.manifest, manifest);

  const index = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.index,
    manifests: [{ ...manifestDescriptor, annotations: { 'org.opencontainers.image.ref.name': reference } }],
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return manifestDescriptor.digest;
}

async function writeJsonBlob(dir: string, mediaType: string, document: unknown): Promise<Descriptor> {
  const bytes = Buffer.from(JSON.stringify(document));
  const hex = createHash('sha256').update(bytes).digest('hex');
  await writeFile(join(dir, 'blobs', 'sha256', hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}
