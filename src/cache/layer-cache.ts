/**
 * The per-layer scan cache. It stores what analyzers found in a layer, never vulnerabilities, so
 * every scan matches against the current database.
 *
 * A lookup takes two reads. The index entry is keyed by diffID, the analyzers present with the paths
 * they declare, and the options, and lists the analyzers that read files in the layer. The layer entry is keyed by diffID,
 * those analyzers' versions and the options. So raising one analyzer's version re-analyses only the
 * layers that analyzer read files in.
 *
 * @module
 */

import type { Analyzer } from '../analyzer/analyzer.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { ImageConfig, LayerAnalysis } from '../types.js';
import type { CacheBackend } from './backend.js';
import { decodeEntry, encodeEntry, type EntryKind } from './entry.js';
import { configKey, layerIndexKey, layerKey, type AnalysisOptions } from './key.js';
import { asLayerAnalysis, layerAnalysisProblem } from './validate.js';

/** A cached layer: the analysis and the digests of blobs verified to hold that layer. */
export interface CachedLayer {
  readonly analysis: LayerAnalysis;
  /**
   * Digests of the blob bytes (compressed or not) that were read and verified against the diffID.
   * A cache hit counts only when the blob at hand hashes to one of them.
   */
  readonly blobDigests: readonly string[];
  /**
   * Identities (device, inode, size, times, and offset or entry position) of the files the
   * verified blobs were read from. A blob whose identity is listed has not changed since it was verified, so it is not
   * hashed again.
   */
  readonly blobIdentities: readonly string[];
}

/** Most identities kept per layer; the oldest are dropped first. */
const MAX_BLOB_IDENTITIES = 32;

interface IndexPayload {
  readonly diffID: string;
  /** Types of the analyzers that read at least one file in the layer. */
  readonly analyzers: readonly string[];
}

export class LayerCache {
  readonly backend: CacheBackend;
  readonly #versions: Readonly<Record<string, number>>;
  readonly #reads: Readonly<Record<string, readonly string[]>>;
  readonly #options: AnalysisOptions;
  readonly #logger: Logger;

  constructor(backend: CacheBackend, analyzers: readonly Analyzer[], options: AnalysisOptions, logger: Logger) {
    this.backend = backend;
    this.#versions = Object.fromEntries(analyzers.map((analyzer) => [analyzer.type, analyzer.version]));
    this.#reads = Object.fromEntries(analyzers.map((analyzer) => [analyzer.type, analyzer.reads]));
    this.#options = options;
    this.#logger = logger;
  }

  /** Returns the cached analysis of a layer, or undefined on a miss or an unusable entry. */
  async getLayer(diffID: string): Promise<CachedLayer | undefined> {
    const indexKey = layerIndexKey(diffID, this.#reads, this.#options);
    const index = (await this.#read('layer-index', indexKey)) as IndexPayload | undefined;
    if (index === undefined) return undefined;
    if (index.diffID !== diffID || !Array.isArray(index.analyzers)) {
      await this.#discard('layer-index', indexKey, 'the index entry names another layer');
      return undefined;
    }

    const key = layerKey(diffID, this.#versionsOf(index.analyzers), this.#options);
    const payload = (await this.#read('layer', key)) as Partial<CachedLayer> | undefined;
    if (payload === undefined) return undefined;
    let problem: string | undefined;
    if (!isTextList(payload.blobDigests)) problem = 'blobDigests is not a list of digests';
    else if (!isTextList(payload.blobIdentities)) problem = 'blobIdentities is not a list of file identities';
    else problem = layerAnalysisProblem(payload.analysis, diffID);
    if (problem !== undefined) {
      await this.#discard('layer', key, problem);
      return undefined;
    }
    return { analysis: asLayerAnalysis(payload.analysis), blobDigests: payload.blobDigests ?? [], blobIdentities: payload.blobIdentities ?? [] };
  }

  /**
   * Stores a layer's analysis with the digests and file identities of the blobs verified to hold
   * it. A failed write is logged and does not fail the scan.
   */
  async putLayer(analysis: LayerAnalysis, blobDigests: readonly string[], blobIdentities: readonly string[] = []): Promise<void> {
    const ran = Object.keys(analysis.analyzers).filter((type) => type in this.#versions);
    const key = layerKey(analysis.diffID, this.#versionsOf(ran), this.#options);
    const indexKey = layerIndexKey(analysis.diffID, this.#reads, this.#options);
    const index: IndexPayload = { diffID: analysis.diffID, analyzers: ran.sort() };

    // The layer entry is written first, so an index entry never points at a missing layer entry.
    const payload: CachedLayer = {
      analysis,
      blobDigests: [...new Set(blobDigests)].sort(),
      blobIdentities: [...new Set(blobIdentities)].slice(-MAX_BLOB_IDENTITIES),
    };
    await this.#write('layer', key, payload);
    await this.#write('layer-index', indexKey, index);
  }

  async getConfig(imageID: string): Promise<ImageConfig | undefined> {
    return (await this.#read('config', configKey(imageID))) as ImageConfig | undefined;
  }

  async putConfig(imageID: string, config: ImageConfig): Promise<void> {
    await this.#write('config', configKey(imageID), config);
  }

  #versionsOf(types: readonly string[]): Record<string, number> {
    const versions: Record<string, number> = {};
    for (const type of types) versions[type] = this.#versions[type] ?? -1;
    return versions;
  }

  async #read(kind: EntryKind, key: string): Promise<unknown> {
    let text: string | undefined;
    try {
      text = await this.backend.get(kind, key);
    } catch (error) {
      this.#logger.warn('cache read failed; the layer is analysed again', { backend: this.backend.name, kind, key, error: errorMessage(error) });
      return undefined;
    }
    if (text === undefined) return undefined;

    const entry = decodeEntry(kind, text);
    if (!entry.ok) {
      await this.#discard(kind, key, entry.reason);
      return undefined;
    }
    return entry.payload;
  }

  async #write(kind: EntryKind, key: string, payload: unknown): Promise<void> {
    try {
      await this.backend.set(kind, key, encodeEntry(kind, payload));
    } catch (error) {
      this.#logger.warn('cache write failed; the next scan analyses this again', { backend: this.backend.name, kind, key, error: errorMessage(error) });
    }
  }

  async #discard(kind: EntryKind, key: string, reason: string): Promise<void> {
    this.#logger.warn('cache entry discarded', { backend: this.backend.name, kind, key, reason });
    try {
      await this.backend.delete(kind, key);
    } catch (error) {
      this.#logger.warn('removing a discarded cache entry failed', { kind, key, error: errorMessage(error) });
    }
  }
}

function isTextList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
