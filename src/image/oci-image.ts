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
import { blobPath, verifyBlob } from './digest.js';
import {
  isConfigMediaType,
  isLayerMediaType,
  kindOfMediaType,
  parseIndex,
  parseJson,
  parseManifest,
  sniffKind,
  type Descriptor,
  type DocumentKind,
  type IndexDocument,
} from './documents.js';
import type { ImageFiles } from './files.js';
import { formatPlatform, isUnknownPlatform, platformMatches } from './platform.js';
import { readMetadataMember, type ResolveOptions, type ResolvedImage } from './resolved.js';
import { selectCandidate, type PlatformCandidate } from './select.js';

/** Maximum nesting of image indexes; Docker's containerd store uses two levels. */
const MAX_INDEX_DEPTH = 4;

interface Candidate extends PlatformCandidate {
  platform?: Platform;
  readonly descriptor: Descriptor;
  /** Image names from the annotations of the top-level `index.json` entries that lead here. */
  readonly refs: string[];
}

interface LoadedManifest {
  readonly configMember: string;
  readonly configBytes: Buffer;
  readonly config: ImageConfig;
  readonly layers: readonly Descriptor[];
}

interface Walk {
  readonly files: ImageFiles;
  readonly options: ResolveOptions;
  readonly candidates: Candidate[];
  /** `mediaType (digest)` of every manifest skipped for its media type. */
  readonly unsupported: string[];
  readonly loaded: Map<string, LoadedManifest>;
}

/** Resolves the image that `options` selects from the layout's `index.json`. */
export async function resolveOciImage(files: ImageFiles, options: ResolveOptions): Promise<ResolvedImage> {
  const bytes = await readMetadataMember(files, 'index.json', 'OCI layout index');
  const root = parseIndex(parseJson(bytes, 'index.json', files.path), 'index.json', files.path);
  const walk: Walk = { files, options, candidates: [], unsupported: [], loaded: new Map() };
  await collect(walk, root, 0, undefined);

  // Manifests listed without a platform get the one their config names.
  for (const candidate of walk.candidates) {
    if (candidate.platform !== undefined) continue;
    const config = (await loadManifest(walk, candidate.descriptor)).config;
    const platform = configPlatform(config);
    if (platform !== undefined) candidate.platform = platform;
  }
  const images = walk.candidates.filter((c) => c.platform === undefined || !isUnknownPlatform(c.platform));
  if (images.length === 0) {
    const detail = walk.unsupported.length > 0 ? `; unsupported manifests: ${walk.unsupported.join(', ')}` : '';
    throw new ImageError(`${files.path}: index.json lists no image manifest that Strata can read${detail}`, files.path);
  }

  const chosen = selectCandidate(images, { ...options, path: files.path });
  const manifest = await loadManifest(walk, chosen.descriptor);
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
    repoTags: chosen.refs,
    ...(platform !== undefined ? { platform } : {}),
  };
}

/** Adds the image manifests under `index` to the walk's candidates, descending into nested indexes. */
async function collect(walk: Walk, index: IndexDocument, depth: number, top: Candidate | undefined): Promise<void> {
  const { files, options } = walk;
  for (const descriptor of index.manifests) {
    if (isAttestation(descriptor)) {
      options.logger.debug('skipped attestation manifest', { manifest: descriptor.digest.text });
      continue;
    }

    const kind = await kindOf(walk, descriptor);
    if (kind === undefined) {
      walk.unsupported.push(`${descriptor.mediaType ?? 'no media type'} (${descriptor.digest.text})`);
      options.logger.debug('skipped manifest of unsupported media type', { manifest: descriptor.digest.text, mediaType: descriptor.mediaType });
      continue;
    }

    const refs = top?.refs ?? imageNames(descriptor.annotations);
    const group = top?.group ?? descriptor.digest.text;
    const label = top?.label ?? refs[0] ?? descriptor.digest.text;

    if (kind === 'index') {
      if (depth >= MAX_INDEX_DEPTH) {
        throw new ImageError(`${files.path}: image indexes nest deeper than ${MAX_INDEX_DEPTH} levels at ${descriptor.digest.text}`, files.path);
      }
      const bytes = await loadBlob(files, descriptor, 'image index');
      const child = parseIndex(parseJson(bytes, `image index ${descriptor.digest.text}`, files.path), `image index ${descriptor.digest.text}`, files.path);
      await collect(walk, child, depth + 1, { descriptor, refs, group, label });
      continue;
    }

    // The same manifest listed twice, e.g. under two tags, is one image with both names.
    const same = walk.candidates.find((c) => c.descriptor.digest.text === descriptor.digest.text);
    if (same !== undefined) {
      for (const ref of refs) if (!same.refs.includes(ref)) same.refs.push(ref);
      continue;
    }
    walk.candidates.push({ descriptor, refs: [...refs], group, label, ...(descriptor.platform ? { platform: descriptor.platform } : {}) });
  }
}

/** Returns index or manifest, reading the blob when the descriptor has no media type. */
async function kindOf(walk: Walk, descriptor: Descriptor): Promise<DocumentKind | undefined> {
  if (descriptor.mediaType !== undefined) return kindOfMediaType(descriptor.mediaType);
  const bytes = await loadBlob(walk.files, descriptor, 'manifest');
  return sniffKind(parseJson(bytes, `manifest ${descriptor.digest.text}`, walk.files.path));
}

/** Returns true for BuildKit attestation manifests, which describe an image but are not one. */
function isAttestation(descriptor: Descriptor): boolean {
  if (descriptor.annotations['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  return descriptor.platform !== undefined && isUnknownPlatform(descriptor.platform);
}

/**
 * Returns the image names of a top-level entry: `io.containerd.image.name`, and
 * `org.opencontainers.image.ref.name` when it is a full reference, not a bare tag like `latest`.
 */
function imageNames(annotations: Readonly<Record<string, string>>): string[] {
  const names: string[] = [];
  const containerd = annotations['io.containerd.image.name'];
  const ref = annotations['org.opencontainers.image.ref.name'];
  if (containerd !== undefined && containerd !== '') names.push(containerd);
  if (ref !== undefined && /[/:@]/.test(ref) && !names.includes(ref)) names.push(ref);
  return names;
}

async function loadBlob(files: ImageFiles, descriptor: Descriptor, label: string): Promise<Buffer> {
  const bytes = await readMetadataMember(files, blobPath(descriptor.digest), `${label} ${descriptor.digest.text}`);
  verifyBlob(bytes, descriptor.digest, descriptor.size, `${label} ${descriptor.digest.text}`, files.path);
  return bytes;
}

/** Reads and checks a manifest and its config, once per digest. */
async function loadManifest(walk: Walk, descriptor: Descriptor): Promise<LoadedManifest> {
  const cached = walk.loaded.get(descriptor.digest.text);
  if (cached !== undefined) return cached;

  const { files } = walk;
  const label = `manifest ${descriptor.digest.text}`;
  const document = parseJson(await loadBlob(files, descriptor, 'manifest'), label, files.path);
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

  const configMember = blobPath(manifest.config.digest);
  const configBytes = await loadBlob(files, manifest.config, 'config');
  const config = parseImageConfig(configBytes, `config ${manifest.config.digest.text}`, files.path);
  const loaded = { configMember, configBytes, config, layers: manifest.layers };
  walk.loaded.set(descriptor.digest.text, loaded);
  return loaded;
}
