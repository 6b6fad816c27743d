/**
 * Parsing of the image config (OCI image config or Docker container image v1), and the mapping
 * of its `history` onto the layers.
 *
 * @module
 */

import { ImageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { HistoryEntry, ImageConfig, Platform } from '../types.js';
import { parseDigest } from './digest.js';
import { isRecord } from './documents.js';
import { parseJson } from './json.js';

/**
 * Parses and checks a config: `rootfs.diff_ids` must be an array of sha256 or sha512 digests, and
 * `os`, `architecture`, `variant` and `history` must have their specified types when present.
 */
export function parseImageConfig(bytes: Uint8Array, label: string, path: string): ImageConfig {
  const fail = (problem: string): never => {
    throw new ImageError(`${path}: ${label} is not a valid image config: ${problem}`, path);
  };
  const document = parseJson(bytes, label, path);
  if (!isRecord(document)) return fail('not a JSON object');

  const rootfs = document['rootfs'];
  if (!isRecord(rootfs)) return fail('"rootfs" is missing');
  const diffIDs = rootfs['diff_ids'];
  if (!Array.isArray(diffIDs)) return fail('"rootfs.diff_ids" is not an array');
  diffIDs.forEach((diffID, i) => {
    if (parseDigest(diffID) === undefined) fail(`rootfs.diff_ids[${i}] ${JSON.stringify(diffID)} is not a sha256 or sha512 digest`);
  });

  for (const key of ['os', 'architecture', 'variant', 'created'] as const) {
    if (document[key] !== undefined && typeof document[key] !== 'string') fail(`"${key}" is not a string`);
  }
  const history = document['history'];
  if (history !== undefined && history !== null && !Array.isArray(history)) fail('"history" is not an array');
  const inner = document['config'];

  return {
    ...stringField(document, 'architecture'),
    ...stringField(document, 'os'),
    ...stringField(document, 'variant'),
    ...stringField(document, 'created'),
    ...(isRecord(inner) ? { config: inner } : {}),
    rootfs: { type: typeof rootfs['type'] === 'string' ? rootfs['type'] : '', diff_ids: diffIDs as string[] },
    ...(Array.isArray(history) ? { history: history.map(parseHistoryEntry) } : {}),
  };
}

function stringField<K extends string>(record: Record<string, unknown>, key: K): { [P in K]?: string } {
  const value = record[key];
  return (typeof value === 'string' ? { [key]: value } : {}) as { [P in K]?: string };
}

function parseHistoryEntry(value: unknown): HistoryEntry {
  if (!isRecord(value)) return {};
  return {
    ...stringField(value, 'created'),
    ...stringField(value, 'created_by'),
    ...stringField(value, 'comment'),
    ...(value['empty_layer'] === true ? { empty_layer: true } : {}),
  };
}

/** Returns the config's platform, or undefined when it names no OS or architecture. */
export function configPlatform(config: ImageConfig): Platform | undefined {
  if (config.os === undefined || config.architecture === undefined) return undefined;
  return config.variant === undefined || config.variant === ''
    ? { os: config.os, architecture: config.architecture }
    : { os: config.os, architecture: config.architecture, variant: config.variant };
}

/**
 * Returns the `created_by` of each layer: the history entries without `empty_layer: true`, in
 * order, assigned to layers 0, 1, 2 and so on. Layers beyond the history get undefined.
 */
export function layerCreatedBy(config: ImageConfig, layerCount: number, logger: Logger): (string | undefined)[] {
  const layerHistory = (config.history ?? []).filter((entry) => entry.empty_layer !== true);
  if (config.history !== undefined && layerHistory.length !== layerCount) {
    logger.debug('history entries do not match the layers one to one; assigned them in order', {
      layerHistoryEntries: layerHistory.length,
      layers: layerCount,
    });
  }
  return Array.from({ length: layerCount }, (_, i) => layerHistory[i]?.created_by);
}
