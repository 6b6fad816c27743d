/**
 * Cache keys. A key is the sha256 of canonical JSON (object keys sorted at every level), so the same
 * inputs give the same key in every process and on every machine.
 *
 * @module
 */

import { createHash } from 'node:crypto';

/** Options that change what analyzers report, e.g. skipped paths; part of every key. */
export type AnalysisOptions = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/**
 * Returns the key of a layer's analysis: diffID, the type and version of every analyzer that read a
 * file in the layer, and the analysis options. Raising the version of an analyzer that read nothing
 * in a layer leaves that layer's key unchanged.
 */
export function layerKey(diffID: string, analyzers: Readonly<Record<string, number>>, options: AnalysisOptions): string {
  return hashCanonical({ kind: 'layer', diffID, analyzers, options });
}

/**
 * Returns the key of a layer's index entry, which records which analyzers read files in the layer.
 * It covers every analyzer's type and declared paths (`reads`), so adding an analyzer, or changing
 * what one reads, analyses every layer again: a layer it read nothing in before may now have files
 * for it.
 */
export function layerIndexKey(diffID: string, analyzerReads: Readonly<Record<string, readonly string[]>>, options: AnalysisOptions): string {
  return hashCanonical({ kind: 'layer-index', diffID, analyzerReads, options });
}

/** Returns the key of an image config, by image ID. */
export function configKey(imageID: string): string {
  return hashCanonical({ kind: 'config', imageID });
}

/** Returns the lowercase hex sha256 of the canonical JSON of `value`. */
export function hashCanonical(value: unknown): string {
  return createHash('sha256').update(canonicalJSON(value)).digest('hex');
}

/** Serialises like JSON.stringify, but with object keys sorted so equal values give equal text. */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => {
    if (field === null || typeof field !== 'object' || Array.isArray(field)) return field;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(field).sort()) sorted[key] = (field as Record<string, unknown>)[key];
    return sorted;
  });
}
