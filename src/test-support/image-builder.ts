/**
 * Builds small OCI image layouts for tests: each layer is a tar made in memory from a list of
 * files, gzip-compressed, with correct digests, diffIDs and history.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { pack } from 'tar-stream';

export interface TestFile {
  /** Path inside the layer, e.g. `etc/os-release` or `etc/.wh.motd`. */
  readonly path: string;
  readonly content?: string | Buffer;
  /** Makes a symlink to this target instead of a regular file. */
  readonly symlink?: string;
}

export interface TestLayer {
  readonly files: readonly TestFile[];
  readonly createdBy?: string;
}

export interface BuiltImage {
  readonly dir: string;
  readonly imageID: string;
  readonly manifestDigest: string;
  readonly diffIDs: readonly string[];
  readonly layerDigests: readonly string[];
}

/** Returns the uncompressed tar of a layer. */
export async function buildLayerTar(files: readonly TestFile[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });

  for (const file of files) {
    if (file.symlink !== undefined) {
      archive.entry({ name: file.path, type: 'symlink', linkname: file.symlink, mtime: new Date(0) });
      continue;
    }
    archive.entry({ name: file.path, mode: 0o644, mtime: new Date(0) }, file.content ?? '');
  }
  archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Writes an OCI image layout with one linux/amd64 image to `dir` and returns its digests. */
export async function writeOCILayout(dir: string, layers: readonly TestLayer[]): Promise<BuiltImage> {
  const blobs = join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const writeBlob = async (data: Buffer | string): Promise<string> => {
    const digest = sha256(data);
    await writeFile(join(blobs, digest.slice('sha256:'.length)), data);
    return digest;
  };

  const diffIDs: string[] = [];
  const descriptors: { mediaType: string; digest: string; size: number }[] = [];
  for (const layer of layers) {
    const tar = await buildLayerTar(layer.files);
    const gzip = gzipSync(tar);
    diffIDs.push(sha256(tar));
    descriptors.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await writeBlob(gzip), size: gzip.length });
  }

  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: '2025-01-01T00:00:00Z',
    config: {},
    rootfs: { type: 'layers', diff_ids: diffIDs },
    history: layers.map((layer, index) => ({ created: '2025-01-01T00:00:00Z', created_by: layer.createdBy ?? `layer ${index}` })),
  });
  const imageID = await writeBlob(config);

  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: imageID, size: Buffer.byteLength(config) },
    layers: descriptors,
  });
  const manifestDigest = await writeBlob(manifest);

  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: Buffer.byteLength(manifest) }],
    }),
  );
  return { dir, imageID, manifestDigest, diffIDs, layerDigests: descriptors.map((descriptor) => descriptor.digest) };
}
