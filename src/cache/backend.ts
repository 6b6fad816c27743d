/**
 * The storage under the scan cache: a flat key-value store of text entries, grouped by kind.
 * Backends store bytes only; checking entries is the layer cache's job.
 *
 * @module
 */

import type { EntryKind } from './entry.js';

export interface StoredEntryInfo {
  readonly kind: EntryKind;
  readonly key: string;
  readonly size: number;
  readonly modified?: Date;
}

export interface CacheBackend {
  /** `fs`, `memory` or `redis`, for logs. */
  readonly name: string;
  get(kind: EntryKind, key: string): Promise<string | undefined>;
  set(kind: EntryKind, key: string, value: string): Promise<void>;
  delete(kind: EntryKind, key: string): Promise<void>;
  list(): AsyncIterable<StoredEntryInfo>;
  /** Removes every entry; returns how many were removed. */
  clear(): Promise<number>;
  close(): Promise<void>;
}

/** Keys are lowercase sha256 hex, so a key can never name a path outside the cache. */
export function assertKey(key: string): void {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new TypeError(`invalid cache key ${JSON.stringify(key)}: expected 64 hex digits`);
}

export const ENTRY_KINDS: readonly EntryKind[] = ['layer', 'layer-index', 'config'];

/** Returns the URL without its password, for messages and logs. */
export function redactURL(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

/** Keeps entries in the process; nothing persists after it exits. */
export class MemoryBackend implements CacheBackend {
  readonly name = 'memory';
  readonly #entries = new Map<string, { value: string; modified: Date }>();

  async get(kind: EntryKind, key: string): Promise<string | undefined> {
    return this.#entries.get(`${kind}/${key}`)?.value;
  }

  async set(kind: EntryKind, key: string, value: string): Promise<void> {
    assertKey(key);
    this.#entries.set(`${kind}/${key}`, { value, modified: new Date() });
  }

  async delete(kind: EntryKind, key: string): Promise<void> {
    this.#entries.delete(`${kind}/${key}`);
  }

  async *list(): AsyncIterable<StoredEntryInfo> {
    for (const [name, entry] of this.#entries) {
      const [kind, key] = name.split('/') as [EntryKind, string];
      yield { kind, key, size: Buffer.byteLength(entry.value), modified: entry.modified };
    }
  }

  async clear(): Promise<number> {
    const count = this.#entries.size;
    this.#entries.clear();
    return count;
  }

  async close(): Promise<void> {}
}
