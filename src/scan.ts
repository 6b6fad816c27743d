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
import { openImage } from './image/index.js';
import { readLayer } from './layer/index.js';
import type { Logger } from './log.js';
import { silentLogger } from './log.js';
import { matchImage } from './matcher/match.js';
import type { ScanResult } from './report/result.js';
import type { LayerDescriptor } from './types.js';

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
        const cached = await cache?.getLayer(layer.diffID);
        if (cached !== undefined) fromCache++;
        const analysis =
          cached ??
          (await readLayer({
            layer,
            open: () => openLayerStream(image, layer),
            analyzers,
            logger,
          }));
        if (cached === undefined) await cache?.putLayer(analysis);

        logger.debug('layer done', {
          index: layer.index,
          digest: layer.digest,
          diffID: layer.diffID,
          size: layer.size,
          cache: cacheOutcome(cache, cached),
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

function cacheOutcome(cache: LayerCache | undefined, cached: unknown): 'bypass' | 'hit' | 'miss' {
  if (cache === undefined) return 'bypass';
  return cached === undefined ? 'miss' : 'hit';
}

async function openLayerStream(image: Awaited<ReturnType<typeof openImage>>, layer: LayerDescriptor) {
  const stream = await image.openLayer(layer);
  return stream as import('node:stream').Readable;
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
