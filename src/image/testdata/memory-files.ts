/**
 * An in-memory ImageFiles for resolver tests, which counts how often each member is read.
 *
 * @module
 */

import { Readable } from 'node:stream';

import { ImageError } from '../../errors.js';
import type { ImageFiles } from '../files.js';

export class MemoryFiles implements ImageFiles {
  readonly path = 'memory.tar';
  readonly truncation = undefined;
  readonly #members: Map<string, Buffer>;
  /** Number of `read` and `open` calls per member name. */
  readonly reads = new Map<string, number>();

  constructor(members: Iterable<readonly [string, string | Buffer]>) {
    this.#members = new Map([...members].map(([name, data]) => [name, Buffer.from(data)]));
  }

  has(name: string): boolean {
    return this.#members.has(name);
  }

  async size(name: string): Promise<number | undefined> {
    return this.#members.get(name)?.length;
  }

  async read(name: string, maxBytes: number): Promise<Buffer | undefined> {
    this.#count(name);
    const data = this.#members.get(name);
    if (data !== undefined && data.length > maxBytes) throw new ImageError(`${name} is above ${maxBytes} bytes`, this.path);
    return data;
  }

  async identity(name: string): Promise<string | undefined> {
    const data = this.#members.get(name);
    return data === undefined ? undefined : `memory:${name}:${data.length}`;
  }

  async open(name: string): Promise<Readable | undefined> {
    this.#count(name);
    const data = this.#members.get(name);
    return data === undefined ? undefined : Readable.from([data]);
  }

  async close(): Promise<void> {}

  /** Returns the largest number of reads of any one member. */
  maxReads(): number {
    return Math.max(0, ...this.reads.values());
  }

  #count(name: string): void {
    this.reads.set(name, (this.reads.get(name) ?? 0) + 1);
  }
}
