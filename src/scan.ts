/**
 * The scan pipeline: image source → layer reader and analyzers → applier → matcher. Each stage
 * lives in its own folder; this module only composes them.
 *
 * @module
 */

import { availableParallelism } from 'node:os';

import type { Analyzer } from './analyzer/analyzer.js';
import { defaultAnalyzers } from './analyzer/index.js';
import { applyLayers, type AnalyzedLayer } from './applier/apply.js';
import type { LayerCache } from './cache/layer-cache.js';
import { openLayerCache, type CacheSettings } from './cache/open.js';
import { openDatabase } from './db/advisory-source.js';
import { openImage, type ImageSource } from './image/index.js';
import { digestBlob, readLayer } from './layer/index.js';
import type { Logger } from './log.js';
import { silentLogger } from './log.js';
import { matchImage } from './matcher/match.js';
import type { ScanResult } from './report/result.js';
import type { LayerAnalysis, LayerDescriptor } from './types.js';

export interface ScanOptions {
  /** Path of an image archive or OCI layout directory. */
  readonly input: string;
  /** `os/arch[/variant]`; default: the host platform, or the only image. */
  readonly platform?: string;
  /** Directory with the vulnerability database under `db/`, e.g. `~/.cache/strata`. */
  readonly databaseDir: string;
  /** Scan cache settings; an empty `cacheDir` turns the persistent cache off. */
  readonly cache: CacheSettings;
  readonly logger?: Logger;
  readonly analyzers?: readonly Analyzer[];
  /** Layers read at once; default: the number of cores. */
  readonly concurrency?: number;
}

/**
 * Scans an image. Throws before any result exists when the database is missing, the image cannot
 * be read, or any layer fails verification, so no partial report can be printed.
 */
export async function scanImage(options: ScanOptions): Promise<ScanResult> {
  const logger = options.logger ?? silentLogger;
  const analyzers = options.analyzers ?? defaultAnalyzers;
  const started = performance.now();

  // The database is opened first so that a missing one fails before any layer is read.
  const database = openDatabase(options.databaseDir);
  let cache: LayerCache | undefined;
  try {
    cache = await openLayerCache(options.cache, analyzers, {}, logger);
    logger.debug('scan cache', { backend: cache?.backend.name ?? 'off' });
    const image = await openImage(options.input, { ...(options.platform === undefined ? {} : { platform: options.platform }), logger });
    try {
      if (cache !== undefined && (await cache.getConfig(image.imageID)) === undefined) {
        await cache.putConfig(image.imageID, image.config);
      }

      const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
      let fromCache = 0;
      const analyzed = await mapWithLimit(image.layers, concurrency, async (layer): Promise<AnalyzedLayer> => {
        const layerStarted = performance.now();
        const { analysis, outcome } = await analyzeLayer({ image, layer, analyzers, cache, logger });
        if (outcome === 'hit') fromCache++;

        logger.debug('layer done', {
          index: layer.index,
          digest: layer.digest,
          diffID: layer.diffID,
          size: layer.size,
          cache: outcome,
          analyzers: Object.entries(analysis.analyzers)
            .map(([type, version]) => `${type}@${version}`)
            .join(','),
          ms: Math.round(performance.now() - layerStarted),
        });
        return { descriptor: layer, analysis };
      });

      const view = applyLayers(analyzed, logger);
      const match = matchImage(view, database, logger);
      logger.debug('scan finished', {
        layers: analyzed.length,
        analysed: analyzed.length - fromCache,
        fromCache,
        packages: view.packages.length,
        findings: match.findings.length,
        ms: Math.round(performance.now() - started),
      });

      return {
        artifactName: options.input,
        artifactType: 'container_image',
        createdAt: new Date(),
        image: {
          format: image.format,
          imageID: image.imageID,
          ...(image.manifestDigest === undefined ? {} : { manifestDigest: image.manifestDigest }),
          repoTags: image.repoTags,
          repoDigests: image.repoDigests,
          config: image.config,
          layers: image.layers,
          ...(image.platform === undefined ? {} : { platform: image.platform }),
        },
        ...(view.os === undefined ? {} : { os: view.os }),
        packages: view.packages,
        findings: match.findings,
        gaps: match.gaps,
        unknowns: view.unknowns,
      };
    } finally {
      await image.close();
    }
  } finally {
    await cache?.backend.close();
    database.close();
  }
}

interface LayerContext {
  readonly image: ImageSource;
  readonly layer: LayerDescriptor;
  readonly analyzers: readonly Analyzer[];
  readonly cache: LayerCache | undefined;
  readonly logger: Logger;
}

/**
 * Returns the analysis of one layer, from the cache only when the blob at hand was verified
 * against the same diffID before, and otherwise by reading and verifying the blob. A blob counts as
 * verified when its file is unchanged since a verified read (same device, inode, size, mtime and
 * ctime) or, failing that, when its bytes hash to a verified blob. So a cached entry is never used
 * for a blob other than the one first verified.
 */
async function analyzeLayer(context: LayerContext): Promise<{ analysis: LayerAnalysis; outcome: 'bypass' | 'hit' | 'miss' }> {
  const { image, layer, cache, logger } = context;
  const open = () => image.openLayer(layer);
  if (cache === undefined) {
    return { analysis: await readLayer({ layer, open, analyzers: context.analyzers, logger }), outcome: 'bypass' };
  }

  // The identity is taken before any read: a file changed after this point gets a new ctime, so
  // the identity stored below can only match the bytes that were verified or older ones.
  const identity = await image.layerIdentity(layer);
  const cached = await cache.getLayer(layer.diffID);
  if (cached !== undefined) {
    if (cached.blobIdentities.includes(identity)) return { analysis: cached.analysis, outcome: 'hit' };

    const blobDigest = await digestBlob(layer, open);
    if (cached.blobDigests.includes(blobDigest)) {
      await cache.putLayer(cached.analysis, cached.blobDigests, [...cached.blobIdentities, identity]);
      return { analysis: cached.analysis, outcome: 'hit' };
    }
    logger.debug('cached layer not used: this blob was never verified against the diffID', { index: layer.index, blobDigest });
  }

  let verifiedDigest: string | undefined;
  const analysis = await readLayer({ layer, open, analyzers: context.analyzers, logger, onVerified: (digest) => (verifiedDigest = digest) });
  if (verifiedDigest !== undefined) {
    await cache.putLayer(analysis, [...(cached?.blobDigests ?? []), verifiedDigest], [...(cached?.blobIdentities ?? []), identity]);
  }
  return { analysis, outcome: 'miss' };
}

/**
 * Runs `task` over `items` with at most `limit` running at once and returns the results in input
 * order. After the first failure no new task starts; the failure is thrown once running tasks settle.
 */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;

  async function worker(): Promise<void> {
    while (failure === undefined && next < items.length) {
      const position = next++;
      try {
        results[position] = await task(items[position] as T);
      } catch (error) {
        failure ??= { error };
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  if (failure !== undefined) throw failure.error;
  return results;
}
