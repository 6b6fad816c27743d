/**
 * Resolution of a `docker save` archive through its `manifest.json`: the classic layout
 * (`<id>/layer.tar`, `<config-hex>.json`) and the Docker 25+ layout that names members
 * `blobs/sha256/<hex>`.
 *
 * @module
 */

import { ImageError } from '../errors.js';
import type { ImageConfig, Platform } from '../types.js';
import { configPlatform, parseImageConfig } from './config.js';
import { parseDigest, sha256Of } from './digest.js';
import { isRecord } from './documents.js';
import type { ImageFiles } from './files.js';
import { parseJson } from './json.js';
import { readMetadataMember, type ResolveOptions, type ResolvedImage, type ResolvedLayer } from './resolved.js';
import { selectCandidate } from './select.js';

/** One image of `manifest.json`. */
export interface DockerManifestEntry {
  readonly config: string;
  readonly repoTags: readonly string[];
  readonly layers: readonly string[];
  /** Descriptors by layer digest, which Docker 25+ writes as `LayerSources`. */
  readonly layerSources: Readonly<Record<string, { mediaType?: string; size?: number }>>;
}

/** Member names that carry the blob's digest: Docker 25+ `blobs/<alg>/<hex>`. */
const BLOB_MEMBER = /^blobs\/(sha256\/[a-f0-9]{64}|sha512\/[a-f0-9]{128})$/;

/** Config member names that carry its sha256: classic `<hex>.json` or Docker 25+ `blobs/sha256/<hex>`. */
const CONFIG_MEMBER = /^(?:blobs\/sha256\/)?([a-f0-9]{64})(?:\.json)?$/;

/**
 * Maximum number of images in `manifest.json`. `docker save` writes one entry per image, and every
 * entry may name a config of up to 8 MiB to read and hash. The bound is an estimate of what real
 * saves need, with ample room.
 */
export const MAX_MANIFEST_ENTRIES = 1000;

/** Reads and checks `manifest.json`. */
export async function readDockerManifest(files: ImageFiles): Promise<DockerManifestEntry[]> {
  const bytes = await readMetadataMember(files, 'manifest.json', 'docker save manifest');
  const fail = (problem: string): never => {
    throw new ImageError(`${files.path}: manifest.json is not a valid docker save manifest: ${problem}`, files.path);
  };

  // No depth limit: only strings and numbers are kept from it, and the shape checks below reject
  // nested arrays where an entry belongs.
  const document = parseJson(bytes, 'manifest.json', files.path, Infinity);
  if (!Array.isArray(document)) return fail('not a JSON array');
  if (document.length === 0) return fail('it lists no images');
  if (document.length > MAX_MANIFEST_ENTRIES) {
    return fail(`it lists ${document.length} images, more than the ${MAX_MANIFEST_ENTRIES} that Strata reads; save only the image to scan`);
  }

  return document.map((item: unknown, i): DockerManifestEntry => {
    if (!isRecord(item)) return fail(`entry ${i} is not a JSON object`);
    const { Config: config, RepoTags: repoTags, Layers: layers, LayerSources: sources } = item;
    if (typeof config !== 'string') return fail(`entry ${i} has no "Config" string`);
    if (!Array.isArray(layers) || !layers.every((layer) => typeof layer === 'string')) return fail(`entry ${i} "Layers" is not an array of strings`);
    if (repoTags !== undefined && repoTags !== null && !(Array.isArray(repoTags) && repoTags.every((tag) => typeof tag === 'string'))) {
      return fail(`entry ${i} "RepoTags" is not an array of strings`);
    }
    return {
      config,
      repoTags: Array.isArray(repoTags) ? (repoTags as string[]) : [],
      layers: layers as string[],
      layerSources: parseLayerSources(sources),
    };
  });
}

function parseLayerSources(value: unknown): Record<string, { mediaType?: string; size?: number }> {
  const sources: Record<string, { mediaType?: string; size?: number }> = {};
  if (!isRecord(value)) return sources;
  for (const [digest, descriptor] of Object.entries(value)) {
    if (!isRecord(descriptor)) continue;
    const { mediaType, size } = descriptor;
    sources[digest] = {
      ...(typeof mediaType === 'string' ? { mediaType } : {}),
      ...(Number.isSafeInteger(size) && (size as number) >= 0 ? { size: size as number } : {}),
    };
  }
  return sources;
}

/** Resolves the image of `manifest.json` that `options` selects. */
export async function resolveDockerImage(
  files: ImageFiles,
  entries: readonly DockerManifestEntry[],
  options: ResolveOptions,
): Promise<ResolvedImage> {
  // Entries may share a config, so each member is read once for its platform. Only the platform
  // is kept, and the chosen entry's config is read again below, so memory stays at one config.
  const platforms = new Map<string, Platform | undefined>();
  const candidates = [];
  for (const [i, entry] of entries.entries()) {
    if (!platforms.has(entry.config)) {
      platforms.set(entry.config, configPlatform((await readConfig(files, entry)).config));
    } else {
      options.logger.debug('config already read for another manifest.json entry', { entry: i, config: entry.config });
    }
    const platform = platforms.get(entry.config);
    candidates.push({ entry, group: String(i), label: entry.repoTags[0] ?? entry.config, ...(platform ? { platform } : {}) });
  }

  const chosen = selectCandidate(candidates, { ...options, path: files.path });
  const { bytes, config } = await readConfig(files, chosen.entry);
  return {
    configMember: chosen.entry.config,
    configBytes: bytes,
    config,
    layers: chosen.entry.layers.map((member) => layerOf(member, chosen.entry)),
    repoTags: chosen.entry.repoTags,
    ...(chosen.platform !== undefined ? { platform: chosen.platform } : {}),
  };
}

/** Reads an entry's config, checking it against the digest its member name carries. */
async function readConfig(files: ImageFiles, entry: DockerManifestEntry): Promise<{ bytes: Buffer; config: ImageConfig }> {
  const bytes = await readMetadataMember(files, entry.config, 'image config');
  const named = CONFIG_MEMBER.exec(entry.config)?.[1];
  const actual = sha256Of(bytes);
  if (named !== undefined && actual !== `sha256:${named}`) {
    throw new ImageError(
      `${files.path}: config ${entry.config} does not match the digest in its name: got ${actual}; the image is corrupt or was modified, so save it again`,
      files.path,
      { code: 'DIGEST_MISMATCH' },
    );
  }
  return { bytes, config: parseImageConfig(bytes, `config ${entry.config}`, files.path) };
}

function layerOf(member: string, entry: DockerManifestEntry): ResolvedLayer {
  const match = BLOB_MEMBER.exec(member);
  const digest = match?.[1] === undefined ? undefined : parseDigest(match[1].replace('/', ':'))?.text;
  if (digest === undefined) return { member };
  const source = entry.layerSources[digest];
  return {
    member,
    digest,
    ...(source?.size !== undefined ? { size: source.size } : {}),
    ...(source?.mediaType !== undefined ? { mediaType: source.mediaType } : {}),
  };
}

/**
 * Returns the RepoTags of the `manifest.json` entry whose config has the given digest, or
 * undefined when no entry names it. Docker 25+ archives are resolved through `index.json` and take
 * their tags from here.
 */
export function repoTagsForConfig(entries: readonly DockerManifestEntry[], configDigest: string): readonly string[] | undefined {
  const hex = parseDigest(configDigest)?.hex;
  const entry = entries.find((e) => CONFIG_MEMBER.exec(e.config)?.[1] === hex);
  return entry?.repoTags;
}
