/**
 * Scan cache entries in Redis, through ioredis, so a fleet of scanners shares one cache. Keys are
 * `strata:<kind>:<key>`; `ttlSeconds` sets an expiry on every write.
 *
 * @module
 */

import { Redis } from 'ioredis';

import { CacheError, errorMessage } from '../errors.js';
import { assertKey, ENTRY_KINDS, redactURL, type CacheBackend, type StoredEntryInfo } from './backend.js';
import type { EntryKind } from './entry.js';

const PREFIX = 'strata:';

/** Time allowed to connect and authenticate before the backend counts as down. */
const CONNECT_TIMEOUT_MS = 5000;

export class RedisBackend implements CacheBackend {
  readonly name = 'redis';
  readonly #client: Redis;
  readonly #ttlSeconds: number | undefined;

  private constructor(client: Redis, ttlSeconds: number | undefined) {
    this.#client = client;
    this.#ttlSeconds = ttlSeconds;
  }

  /**
   * Connects and checks authentication with PING. Throws CacheError, with the address but never
   * the password, when the server is down, refuses the credentials or times out.
   */
  static async connect(url: string, options: { ttlSeconds?: number } = {}): Promise<RedisBackend> {
    const address = redactURL(url);
    // NOTE: ioredis turns a rediss:// URL into a TLS connection; no TLS Redis runs in the tests, so
    // only plain redis:// is exercised here.
    const client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: CONNECT_TIMEOUT_MS,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      // No reconnect loop: a scan either has its cache or reports why not.
      retryStrategy: () => null,
    });
    // ioredis also emits connection errors as events; the rejected connect() below reports them.
    client.on('error', () => {});

    try {
      await client.connect();
      await client.ping();
    } catch (error) {
      client.disconnect();
      throw new CacheError('redis', `cannot use the Redis cache at ${address}: ${errorMessage(error)}; check that the server runs and the credentials are right, or pass --cache-fallback to scan without a cache`, {
        cause: error,
      });
    }
    return new RedisBackend(client, options.ttlSeconds);
  }

  async get(kind: EntryKind, key: string): Promise<string | undefined> {
    assertKey(key);
    return (await this.#client.get(`${PREFIX}${kind}:${key}`)) ?? undefined;
  }

  async set(kind: EntryKind, key: string, value: string): Promise<void> {
    assertKey(key);
    // SET replaces the value in one step, so concurrent writers of the same key cannot interleave.
    if (this.#ttlSeconds === undefined) await this.#client.set(`${PREFIX}${kind}:${key}`, value);
    else await this.#client.set(`${PREFIX}${kind}:${key}`, value, 'EX', this.#ttlSeconds);
  }

  async delete(kind: EntryKind, key: string): Promise<void> {
    assertKey(key);
    await this.#client.del(`${PREFIX}${kind}:${key}`);
  }

  async *list(): AsyncIterable<StoredEntryInfo> {
    for (const kind of ENTRY_KINDS) {
      let cursor = '0';
      do {
        const [next, keys] = await this.#client.scan(cursor, 'MATCH', `${PREFIX}${kind}:*`, 'COUNT', 500);
        cursor = next;
        for (const name of keys) {
          const key = name.slice(`${PREFIX}${kind}:`.length);
          yield { kind, key, size: await this.#client.strlen(name) };
        }
      } while (cursor !== '0');
    }
  }

  async clear(): Promise<number> {
    let count = 0;
    for await (const entry of this.list()) {
      count += await this.#client.del(`${PREFIX}${entry.kind}:${entry.key}`);
    }
    return count;
  }

  async close(): Promise<void> {
    await this.#client.quit().catch(() => this.#client.disconnect());
  }
}
