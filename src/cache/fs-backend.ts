/**
 * Scan cache entries as files: `<dir>/<kind>/<key[0:2]>/<key>.json`. Writes go to a temporary file
 * in the same directory and are renamed into place, so any number of processes can share the
 * directory without a lock and a crash mid-write leaves no entry.
 *
 * @module
 */

import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

import { writeFileAtomic } from '../util/atomic-write.js';
import { assertKey, ENTRY_KINDS, type CacheBackend, type StoredEntryInfo } from './backend.js';
import type { EntryKind } from './entry.js';

export class FileSystemBackend implements CacheBackend {
  readonly name = 'fs';
  readonly #dir: string;

  /** `dir` is the scan cache folder, e.g. `~/.cache/strata/scan`. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  async get(kind: EntryKind, key: string): Promise<string | undefined> {
    try {
      return await readFile(this.#path(kind, key), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async set(kind: EntryKind, key: string, value: string): Promise<void> {
    const path = this.#path(kind, key);
    await mkdir(join(this.#dir, kind, key.slice(0, 2)), { recursive: true });
    await writeFileAtomic(path, value);
  }

  async delete(kind: EntryKind, key: string): Promise<void> {
    await rm(this.#path(kind, key), { force: true });
  }

  async *list(): AsyncIterable<StoredEntryInfo> {
    for (const kind of ENTRY_KINDS) {
      for (const shard of await listDir(join(this.#dir, kind))) {
        for (const name of await listDir(join(this.#dir, kind, shard))) {
          const match = /^([0-9a-f]{64})\.json$/.exec(name);
          if (match === null) continue;
          try {
            const info = await stat(join(this.#dir, kind, shard, name));
            yield { kind, key: match[1] ?? '', size: info.size, modified: info.mtime };
          } catch (error) {
            // Another process may remove an entry between listing and stat.
            if (!isNotFound(error)) throw error;
          }
        }
      }
    }
  }

  async clear(): Promise<number> {
    let count = 0;
    for await (const _entry of this.list()) count++;
    await rm(this.#dir, { recursive: true, force: true });
    return count;
  }

  async close(): Promise<void> {}

  #path(kind: EntryKind, key: string): string {
    assertKey(key);
    return join(this.#dir, kind, key.slice(0, 2), `${key}.json`);
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
