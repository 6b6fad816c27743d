/**
 * The entries of an image archive by name, built in one pass by either archive reader, with
 * symlink and hard link resolution confined to the archive.
 *
 * @module
 */

import { posix } from 'node:path';

import { ImageError } from '../errors.js';
import type { Logger } from '../log.js';

/** Maximum number of entries an image archive may contain. */
export const MAX_ENTRIES = 100_000;

/** Maximum number of links followed to reach a member, so a loop ends with an error. */
export const MAX_LINK_DEPTH = 8;

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** Normalised name: no leading `./` or `/`, no trailing `/`. */
  readonly name: string;
  readonly type: TarEntryType;
  /** Data size in bytes. */
  readonly size: number;
  /** Offset of the first data byte in the uncompressed tar stream; -1 where the reader cannot tell. */
  readonly dataOffset: number;
  /** Zero-based position among the archive's entries, counting no pax or GNU meta entries. */
  readonly ordinal: number;
  readonly linkName?: string;
}

/** The point where the archive ends before an entry's data does. */
export interface Truncation {
  /** The entry cut short; undefined when the archive ends inside a header. */
  readonly member?: string;
  /** Bytes the entry declares, when known. */
  readonly declared?: number;
  /** Bytes of the entry present, when known. */
  readonly present?: number;
}

/** Maps a tar type flag to the entry types this module distinguishes. */
export function entryTypeOf(typeFlag: string): TarEntryType {
  switch (typeFlag) {
    case '0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'directory';
    default:
      return 'other';
  }
}

/**
 * Returns the name normalised, or undefined for a name that cannot be a member: absolute, climbing
 * out with `..`, or the archive root itself.
 */
export function normalizeMemberName(raw: string): string | undefined {
  if (raw.startsWith('/') || raw.includes('\0')) return undefined;
  const normalized = posix.normalize(raw).replace(/\/+$/, '');
  if (normalized === '' || normalized === '.' || normalized === '..' || normalized.startsWith('../')) return undefined;
  return normalized;
}

export class TarIndex {
  readonly #path: string;
  readonly #logger: Logger;
  readonly #byName = new Map<string, TarEntry>();
  #count = 0;
  #skipped = 0;
  truncation: Truncation | undefined;

  constructor(path: string, logger: Logger) {
    this.#path = path;
    this.#logger = logger;
  }

  get entryCount(): number {
    return this.#count;
  }

  /**
   * Records an entry and returns its ordinal. A later entry with the same name replaces an
   * earlier one, as extraction would. Throws ImageError beyond MAX_ENTRIES entries.
   */
  add(entry: { rawName: string; type: TarEntryType; size: number; dataOffset: number; linkName?: string }): number {
    const ordinal = this.#count++;
    if (this.#count > MAX_ENTRIES) {
      throw new ImageError(
        `${this.#path}: archive has more than ${MAX_ENTRIES} entries, more than any image archive; it is not an image archive`,
        this.#path,
      );
    }

    const name = normalizeMemberName(entry.rawName);
    if (name === undefined) {
      // One warning per archive; the rest go to debug, with the running count.
      this.#skipped++;
      const level = this.#skipped === 1 ? 'warn' : 'debug';
      this.#logger[level]('ignored archive entry with an absolute or climbing name', { archive: this.#path, entry: entry.rawName, ignored: this.#skipped });
      return ordinal;
    }

    const record: TarEntry = {
      name,
      type: entry.type,
      size: entry.size,
      dataOffset: entry.dataOffset,
      ordinal,
      ...(entry.linkName !== undefined && entry.linkName !== '' ? { linkName: entry.linkName } : {}),
    };
    this.#byName.set(name, record);
    return ordinal;
  }

  /** Returns true when a member of this name exists, without following links. */
  has(name: string): boolean {
    return this.#byName.has(name);
  }

  /**
   * Returns the regular file that `name` refers to after following symlinks and hard links, or
   * undefined when the name or a link target is missing. Throws ImageError for a link that leaves
   * the archive, a chain longer than MAX_LINK_DEPTH, or a member that is not a regular file.
   */
  resolve(name: string): TarEntry | undefined {
    let entry = this.#byName.get(name);
    const chain: string[] = [name];

    for (let depth = 0; entry !== undefined; depth++) {
      if (entry.type === 'file') return entry;
      if (entry.type !== 'symlink' && entry.type !== 'hardlink') {
        throw new ImageError(`${this.#path}: member ${chain.join(' -> ')} is a ${entry.type}, not a regular file`, this.#path);
      }
      if (depth >= MAX_LINK_DEPTH) {
        throw new ImageError(
          `${this.#path}: member ${name} is behind more than ${MAX_LINK_DEPTH} links (${chain.join(' -> ')}); the archive contains a link loop`,
          this.#path,
        );
      }

      const target = this.#linkTarget(entry);
      if (target === undefined) {
        throw new ImageError(
          `${this.#path}: member ${entry.name} links to ${entry.linkName ?? '(empty)'}, which is outside the archive`,
          this.#path,
        );
      }
      chain.push(target);
      entry = this.#byName.get(target);
    }

    this.#logger.debug('archive member not found', { archive: this.#path, member: chain.join(' -> ') });
    return undefined;
  }

  #linkTarget(entry: TarEntry): string | undefined {
    const link = entry.linkName ?? '';
    if (link === '' || link.startsWith('/')) return undefined;
    // A symlink is relative to its own directory; a hard link names a member from the archive root.
    const joined = entry.type === 'symlink' ? posix.join(posix.dirname(entry.name), link) : link;
    return normalizeMemberName(joined);
  }
}
