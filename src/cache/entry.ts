/**
 * The stored form of a cache entry: a schema version, a checksum of the payload and the payload
 * itself. An entry that fails any check is treated as absent, never trusted.
 *
 * @module
 */

import { createHash } from 'node:crypto';

import { canonicalJSON } from './key.js';

/** Raise when the payload shape changes; entries of another schema are discarded. */
export const CACHE_SCHEMA_VERSION = 3;

export type EntryKind = 'layer' | 'layer-index' | 'config';

interface StoredEntry {
  readonly schema: number;
  readonly kind: EntryKind;
  readonly createdAt: string;
  /** `sha256:<hex>` of the canonical JSON of `payload`. */
  readonly checksum: string;
  readonly payload: unknown;
}

export type DecodedEntry =
  | { readonly ok: true; readonly payload: unknown; readonly createdAt: Date }
  | { readonly ok: false; readonly reason: string };

export function encodeEntry(kind: EntryKind, payload: unknown, now: Date = new Date()): string {
  const entry: StoredEntry = { schema: CACHE_SCHEMA_VERSION, kind, createdAt: now.toISOString(), checksum: checksum(payload), payload };
  return JSON.stringify(entry);
}

/** Checks schema, kind and checksum; returns the payload or why the entry is unusable. */
export function decodeEntry(kind: EntryKind, text: string): DecodedEntry {
  let entry: Partial<StoredEntry>;
  try {
    entry = JSON.parse(text) as Partial<StoredEntry>;
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${error instanceof Error ? error.message : String(error)}); truncated or corrupt` };
  }
  if (entry === null || typeof entry !== 'object') return { ok: false, reason: 'not a JSON object' };
  if (entry.schema !== CACHE_SCHEMA_VERSION) {
    return { ok: false, reason: `schema version ${String(entry.schema)}, expected ${CACHE_SCHEMA_VERSION}` };
  }
  if (entry.kind !== kind) return { ok: false, reason: `kind ${String(entry.kind)}, expected ${kind}` };
  if (typeof entry.checksum !== 'string' || entry.checksum !== checksum(entry.payload)) {
    return { ok: false, reason: 'checksum mismatch; the entry was modified or corrupted' };
  }
  const createdAt = new Date(typeof entry.createdAt === 'string' ? entry.createdAt : Number.NaN);
  return { ok: true, payload: entry.payload, createdAt };
}

function checksum(payload: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJSON(payload) ?? 'undefined').digest('hex')}`;
}
