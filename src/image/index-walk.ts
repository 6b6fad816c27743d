/**
 * Walk of an OCI layout's `index.json` through nested image indexes to the image manifests that
 * are candidates for scanning. Indexes form a graph, because one index may be listed many times
 * and under several parents. Each distinct index is therefore read and walked once.
 *
 * @module
 */

import { ImageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Platform } from '../types.js';
import { kindOfMediaType, parseIndex, sniffKind, type Descriptor, type DocumentKind, type IndexDocument } from './documents.js';
import type { ImageFiles } from './files.js';
import { parseJson } from './json.js';
import { isUnknownPlatform } from './platform.js';
import { readBlob } from './resolved.js';
import type { PlatformCandidate } from './select.js';

/** Maximum nesting of image indexes. Docker's containerd image store uses two levels. */
export const MAX_INDEX_DEPTH = 4;

/**
 * Maximum number of descriptors in all the indexes of a layout together. The bound is an estimate:
 * a multi-platform image lists about a dozen, which leaves room for layouts of many tagged images.
 */
export const MAX_INDEX_DESCRIPTORS = 10_000;

export interface IndexCandidate extends PlatformCandidate {
  platform?: Platform;
  readonly descriptor: Descriptor;
}

export interface IndexWalk {
  /** Image manifests in the order the walk first reached them, one per digest. */
  readonly candidates: readonly IndexCandidate[];
  /** `mediaType (digest)` of every manifest skipped for its media type. */
  readonly unsupported: readonly string[];
  /**
   * Returns the image names of the top-level `index.json` entries that lead to a manifest, in
   * `index.json` order.
   */
  imageNames(manifestDigest: string): string[];
}

interface WalkState {
  readonly files: ImageFiles;
  readonly logger: Logger;
  readonly candidates: Map<string, IndexCandidate>;
  readonly unsupported: Set<string>;
  /** Height of each nested index walked so far: how many levels of indexes nest below it. */
  readonly heights: Map<string, number>;
  /** Digests of the nested indexes that list each manifest or index. */
  readonly parents: Map<string, Set<string>>;
  /** Document kinds by digest, for descriptors whose kind needed the blob to be read. */
  readonly kinds: Map<string, DocumentKind | undefined>;
  /** Descriptors listed by all indexes read so far, checked against MAX_INDEX_DESCRIPTORS. */
  descriptorCount: number;
}

/** The top-level `index.json` entry that a nested manifest is grouped and named under. */
interface TopEntry {
  readonly group: string;
  readonly label: string;
}

/** Walks `root` (the parsed `index.json`) and returns the image manifests under it. */
export async function walkIndex(files: ImageFiles, root: IndexDocument, logger: Logger): Promise<IndexWalk> {
  const state: WalkState = {
    files,
    logger,
    candidates: new Map(),
    unsupported: new Set(),
    heights: new Map(),
    parents: new Map(),
    kinds: new Map(),
    descriptorCount: 0,
  };
  await collect(state, root, undefined, 0, undefined);

  return {
    candidates: [...state.candidates.values()],
    unsupported: [...state.unsupported],
    imageNames: (manifestDigest) => namesLeadingTo(state, root, manifestDigest),
  };
}

/**
 * Adds the image manifests that `index` lists to the candidates and descends into nested indexes.
 * `parent` is the index's own descriptor, undefined for `index.json`. Returns the index's height.
 */
async function collect(state: WalkState, index: IndexDocument, parent: Descriptor | undefined, depth: number, top: TopEntry | undefined): Promise<number> {
  const { files, logger } = state;
  state.descriptorCount += index.manifests.length;
  if (state.descriptorCount > MAX_INDEX_DESCRIPTORS) {
    const at = parent === undefined ? 'index.json' : `image index ${parent.digest.text}`;
    throw new ImageError(
      `${files.path}: image indexes list more than ${MAX_INDEX_DESCRIPTORS} manifests in all (limit reached at ${at}); Strata scans one image, so save or copy only that image`,
      files.path,
    );
  }

  let height = 0;
  for (const descriptor of index.manifests) {
    const digest = descriptor.digest.text;
    if (isAttestation(descriptor)) {
      logger.debug('skipped attestation manifest', { manifest: digest });
      continue;
    }

    const kind = await kindOf(state, descriptor);
    if (kind === undefined) {
      state.unsupported.add(`${descriptor.mediaType ?? 'no media type'} (${digest})`);
      logger.debug('skipped manifest of unsupported media type', { manifest: digest, mediaType: descriptor.mediaType });
      continue;
    }

    if (parent !== undefined) addParent(state, digest, parent.digest.text);
    const entry = top ?? { group: digest, label: imageNamesOf(descriptor)[0] ?? digest };

    if (kind === 'index') {
      height = Math.max(height, 1 + (await walkChildIndex(state, descriptor, depth + 1, entry)));
      continue;
    }
    // The same manifest listed twice, e.g. under two tags, is one candidate, and imageNames merges its names.
    if (state.candidates.has(digest)) continue;
    state.candidates.set(digest, { descriptor, group: entry.group, label: entry.label, ...(descriptor.platform ? { platform: descriptor.platform } : {}) });
  }
  return height;
}

/** Walks the nested index that `descriptor` names, at `depth`, unless it was walked already. Returns its height. */
async function walkChildIndex(state: WalkState, descriptor: Descriptor, depth: number, top: TopEntry): Promise<number> {
  const { files } = state;
  const digest = descriptor.digest.text;
  const tooDeep = (): ImageError =>
    new ImageError(`${files.path}: image indexes nest deeper than ${MAX_INDEX_DEPTH} levels at ${digest}`, files.path);

  const walkedHeight = state.heights.get(digest);
  if (walkedHeight !== undefined) {
    // Listed again, its nested indexes may now sit deeper than where it was first listed.
    if (depth + walkedHeight > MAX_INDEX_DEPTH) throw tooDeep();
    state.logger.debug('image index already walked', { index: digest });
    return walkedHeight;
  }

  if (depth > MAX_INDEX_DEPTH) throw tooDeep();
  const label = `image index ${digest}`;
  const bytes = await readBlob(files, descriptor, 'image index');
  const child = parseIndex(parseJson(bytes, label, files.path), label, files.path);
  const height = await collect(state, child, descriptor, depth, top);
  state.heights.set(digest, height);
  return height;
}

function addParent(state: WalkState, digest: string, parentDigest: string): void {
  let parents = state.parents.get(digest);
  if (parents === undefined) {
    parents = new Set();
    state.parents.set(digest, parents);
  }
  parents.add(parentDigest);
}

/** Returns index or manifest, reading the blob when the descriptor has no media type. */
async function kindOf(state: WalkState, descriptor: Descriptor): Promise<DocumentKind | undefined> {
  if (descriptor.mediaType !== undefined) return kindOfMediaType(descriptor.mediaType);
  const digest = descriptor.digest.text;
  if (state.kinds.has(digest)) return state.kinds.get(digest);

  const bytes = await readBlob(state.files, descriptor, 'manifest');
  const kind = sniffKind(parseJson(bytes, `manifest ${digest}`, state.files.path));
  state.kinds.set(digest, kind);
  return kind;
}

/** Returns true for BuildKit attestation manifests, which describe an image but are not one. */
function isAttestation(descriptor: Descriptor): boolean {
  if (descriptor.annotations['vnd.docker.reference.type'] === 'attestation-manifest') return true;
  return descriptor.platform !== undefined && isUnknownPlatform(descriptor.platform);
}

/** Follows the parent links up from a manifest and returns the names of the top-level entries reached. */
function namesLeadingTo(state: WalkState, root: IndexDocument, manifestDigest: string): string[] {
  const reached = new Set([manifestDigest]);
  const pending = [manifestDigest];
  for (let digest = pending.pop(); digest !== undefined; digest = pending.pop()) {
    for (const parent of state.parents.get(digest) ?? []) {
      if (reached.has(parent)) continue;
      reached.add(parent);
      pending.push(parent);
    }
  }

  const names = new Set<string>();
  for (const descriptor of root.manifests) {
    if (!reached.has(descriptor.digest.text) || isAttestation(descriptor)) continue;
    for (const name of imageNamesOf(descriptor)) names.add(name);
  }
  return [...names];
}

/**
 * Returns the image names of a top-level entry: `io.containerd.image.name`, and
 * `org.opencontainers.image.ref.name` when it is a full reference, not a bare tag like `latest`.
 */
function imageNamesOf(descriptor: Descriptor): string[] {
  const names: string[] = [];
  const containerd = descriptor.annotations['io.containerd.image.name'];
  const ref = descriptor.annotations['org.opencontainers.image.ref.name'];
  if (containerd !== undefined && containerd !== '') names.push(containerd);
  if (ref !== undefined && /[/:@]/.test(ref) && !names.includes(ref)) names.push(ref);
  return names;
}
