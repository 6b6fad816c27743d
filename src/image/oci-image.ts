/**
 * Resolution of an OCI layout (directory or archive) from `index.json` through nested indexes to
 * one image manifest and its config. Every index, manifest and config read is checked against its
 * digest.
 *
 * @module
 */

import { ImageError } from '../errors.js';
import type { ImageConfig, Platform } from '../types.js';
import { configPlatform, parseImageConfig } from './config.js';
import { blobPath } from './digest.js';
import { isConfigMediaType, isLayerMediaType, kindOfMediaType, parseIndex, parseManifest, type Descriptor, type ManifestDocument } from './documents.js';
import type { ImageFiles } from './files.js';
import { walkIndex } from './index-walk.js';
import { parseJson } from './json.js';
import { formatPlatform, isUnknownPlatform, platformMatches } from './platform.js';
import { readBlob, readMetadataMember, type ResolveOptions, type ResolvedImage } from './resolved.js';
import { selectCandidate } from './select.js';

interface LoadedManifest {
  readonly configMember: string;
  readonly configBytes: Buffer;
  readonly config: ImageConfig;
  readonly layers: readonly Descriptor[];
}

/** Resolves the image that `options` selects from the layout's `index.json`. */
export async function resolveOciImage(files: ImageFiles, options: ResolveOptions): Promise<ResolvedImage> {
  const bytes = await readMetadataMember(files, 'index.json', 'OCI layout index');
  const root = parseIndex(parseJson(bytes, 'index.json', files.path), 'index.json', files.path);
  const walk = await walkIndex(files, root, options.logger);

  // Manifests listed without a platform get the one their config names. Many manifests may share
  // a config, so each config is read once, and only its platform is kept.
  const configPlatforms = new Map<string, Platform | undefined>();
  for (const candidate of walk.candidates) {
    if (candidate.platform !== undefined) continue;
    const manifest = await readManifest(files, candidate.descriptor);
    const configDigest = manifest.config.digest.text;
    if (!configPlatforms.has(configDigest)) {
      const configBytes = await readBlob(files, manifest.config, 'config');
      configPlatforms.set(configDigest, configPlatform(parseImageConfig(configBytes, `config ${configDigest}`, files.path)));
    }
    const platform = configPlatforms.get(configDigest);
    if (platform !== undefined) candidate.platform = platform;
  }
  const images = walk.candidates.filter((c) => c.platform === undefined || !isUnknownPlatform(c.platform));
  if (images.length === 0) {
    const detail = walk.unsupported.length > 0 ? `; unsupported manifests: ${walk.unsupported.join(', ')}` : '';
    throw new ImageError(`${files.path}: index.json lists no image manifest that Strata can read${detail}`, files.path);
  }

  const chosen = selectCandidate(images, { ...options, path: files.path });
  const manifest = await loadManifest(files, chosen.descriptor);
  const platform = configPlatform(manifest.config) ?? chosen.platform;
  if (chosen.descriptor.platform !== undefined && platform !== undefined && !platformMatches(chosen.descriptor.platform, platform)) {
    options.logger.warn('index platform differs from the config platform; using the config', {
      manifest: chosen.descriptor.digest.text,
      index: formatPlatform(chosen.descriptor.platform),
      config: formatPlatform(platform),
    });
  }

  return {
    manifestDigest: chosen.descriptor.digest.text,
    configMember: manifest.configMember,
    configBytes: manifest.configBytes,
    config: manifest.config,
    layers: manifest.layers.map((layer) => ({
      member: blobPath(layer.digest),
      digest: layer.digest.text,
      ...(layer.size !== undefined ? { size: layer.size } : {}),
      ...(layer.mediaType !== undefined ? { mediaType: layer.mediaType } : {}),
    })),
    repoTags: walk.imageNames(chosen.descriptor.digest.text),
    ...(platform !== undefined ? { platform } : {}),
  };
}

/** Reads a manifest and checks that it describes a container image. */
async function readManifest(files: ImageFiles, descriptor: Descriptor): Promise<ManifestDocument> {
  const label = `manifest ${descriptor.digest.text}`;
  const document = parseJson(await readBlob(files, descriptor, 'manifest'), label, files.path);
  const manifest = parseManifest(document, label, files.path);
  if (manifest.mediaType !== undefined && kindOfMediaType(manifest.mediaType) !== 'manifest') {
    throw new ImageError(`${files.path}: ${label} has media type ${manifest.mediaType}, which is not an image manifest`, files.path);
  }

  const configType = manifest.config.mediaType;
  if (configType !== undefined && !isConfigMediaType(configType)) {
    throw new ImageError(
      `${files.path}: ${label} has config media type ${configType} (${manifest.config.digest.text}); it describes an artifact, not a container image`,
      files.path,
    );
  }
  manifest.layers.forEach((layer, i) => {
    if (layer.mediaType !== undefined && !isLayerMediaType(layer.mediaType)) {
      throw new ImageError(
        `${files.path}: ${label} layer ${i} (${layer.digest.text}) has media type ${layer.mediaType}, which is not a filesystem layer`,
        files.path,
      );
    }
  });
  return manifest;
}

/** Reads and checks the chosen manifest and its config. */
async function loadManifest(files: ImageFiles, descriptor: Descriptor): Promise<LoadedManifest> {
  const manifest = await readManifest(files, descriptor);
  const configMember = blobPath(manifest.config.digest);
  const configBytes = await readBlob(files, manifest.config, 'config');
  const config = parseImageConfig(configBytes, `config ${manifest.config.digest.text}`, files.path);
  return { configMember, configBytes, config, layers: manifest.layers };
}
