/**
 * Reads one layer blob as a stream: hashes the blob, decompresses it, hashes the tar, walks its
 * entries and hands the files that analyzers want to them. Nothing is written to disk and only
 * wanted files are buffered.
 *
 * @module
 */

import type { Readable } from 'node:stream';

import type { Analyzer } from '../analyzer/analyzer.js';
import { DigestMismatchError, LayerError, StrataError, errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { LayerAnalysis, LayerDescriptor } from '../types.js';
import { LayerCollector } from './collect.js';
import { declaredCompression, decompress, type Compression } from './decompress.js';
import { LayerLimitError, LayerReadError } from './failure.js';
import { resolveLimits, type LayerLimits } from './limits.js';
import { DigestCounter, countBytes, digestAlgorithm, verifyDigests } from './verify.js';
import { walkTar, type WalkSummary } from './walk.js';

export interface ReadLayerOptions {
  readonly layer: LayerDescriptor;
  /** Opens the blob as stored in the image, compressed or not. Called once. */
  readonly open: () => Promise<Readable>;
  readonly analyzers: readonly Analyzer[];
  readonly logger?: Logger;
  readonly limits?: Partial<LayerLimits>;
  /** Called with the digest of the blob bytes once they have been verified, e.g. for the layer cache. */
  readonly onVerified?: (blobDigest: string) => void;
}

/**
 * Reads a layer and returns what the analyzers found in it. Throws DigestMismatchError when the
 * blob or the tar does not match the digest, size or diffID that the image declares, and
 * LayerError when the blob cannot be opened or is truncated, corrupt or not a tar.
 */
export async function readLayer(options: ReadLayerOptions): Promise<LayerAnalysis> {
  const { layer } = options;
  const limits = resolveLimits(options.limits);
  checkAnalyzerTypes(options.analyzers);
  const logger = (options.logger ?? silentLogger).child({ layer: layer.index });
  const started = performance.now();
  const collector = new LayerCollector(options.analyzers, limits, logger);

  let blobCounter: DigestCounter;
  let tarCounter: DigestCounter;
  let compression: Compression = 'none';
  let walk: WalkSummary;
  try {
    blobCounter = new DigestCounter(layer.digest === undefined ? 'sha256' : digestAlgorithm(layer.digest, 'layer digest'));
    tarCounter = new DigestCounter(digestAlgorithm(layer.diffID, 'diffID'));
    const blob = await openBlob(options.open);

    const size = layer.size;
    const blobBytes = countBytes(readBlob(blob), blobCounter, size === undefined ? undefined : {
      max: size,
      exceeded: (max) => new DigestMismatchError(layer, 'size', `${max} bytes`, `more than ${max} bytes`),
    });
    const tarBytes = countBytes(decompress(blobBytes, (detected) => (compression = detected)), tarCounter, {
      max: limits.maxLayerSize,
      exceeded: (max) => new LayerLimitError(`the uncompressed layer is larger than ${max} bytes; raise limits.maxLayerSize to read it`),
    });
    walk = await walkTar(tarBytes, (entry) => collector.handle(entry), { maxEntries: limits.maxEntries });
  } catch (error) {
    throw toLayerError(error, layer);
  }

  const observed = { blobDigest: blobCounter.digest(), blobBytes: blobCounter.bytes, diffID: tarCounter.digest() };
  verifyDigests(layer, observed);
  options.onVerified?.(observed.blobDigest);
  if (tarCounter.bytes === 0) throw new LayerError('not a tar archive: the layer is empty', layer);

  const declared = declaredCompression(layer.mediaType);
  if (declared !== undefined && declared !== compression) {
    logger.debug('compression differs from the media type, so the detected one was used', { mediaType: layer.mediaType, compression });
  }
  if (!walk.endMarker) {
    logger.warn('the layer tar has no end-of-archive marker, so it may be truncated', { diffID: layer.diffID });
  }
  for (const [type, stats] of collector.stats) {
    logger.debug('analyzer finished', { analyzer: type, files: stats.files, ms: Math.round(stats.ms) });
  }
  logger.debug('layer read', {
    digest: layer.digest ?? observed.blobDigest,
    diffID: layer.diffID,
    size: observed.blobBytes,
    uncompressedSize: tarCounter.bytes,
    compression,
    entries: walk.entries,
    ms: Math.round(performance.now() - started),
  });
  return collector.result(layer.diffID);
}

function checkAnalyzerTypes(analyzers: readonly Analyzer[]): void {
  const seen = new Set<string>();
  for (const analyzer of analyzers) {
    if (seen.has(analyzer.type)) {
      throw new StrataError('INVALID_ARGUMENT', `two analyzers have the type ${JSON.stringify(analyzer.type)}; each type must be unique`);
    }
    seen.add(analyzer.type);
  }
}

async function openBlob(open: () => Promise<Readable>): Promise<Readable> {
  try {
    return await open();
  } catch (error) {
    if (error instanceof StrataError) throw error;
    throw new LayerReadError(`opening the blob failed: ${errorMessage(error)}`, { cause: error });
  }
}

async function* readBlob(blob: Readable): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of blob) {
      if (!(chunk instanceof Uint8Array)) throw new TypeError(`the blob stream yielded a ${typeof chunk}, not bytes`);
      yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    }
  } catch (error) {
    if (error instanceof LayerReadError || error instanceof StrataError) throw error;
    throw new LayerReadError(`reading the blob failed: ${errorMessage(error)}`, { cause: error });
  }
}

function toLayerError(error: unknown, layer: LayerDescriptor): Error {
  if (error instanceof LayerError) return error;
  if (error instanceof StrataError) return error;
  if (error instanceof LayerLimitError) return new LayerError(error.reason, layer, { cause: error });
  if (error instanceof LayerReadError) {
    return new LayerError(`${error.reason}; the image is incomplete or corrupt, so save or pull it again`, layer, { cause: error.cause ?? error });
  }
  return new LayerError(`reading failed: ${errorMessage(error)}`, layer, { cause: error });
}
