/**
 * The contents of files handed to analyzers, kept so that later hard links to them can be read: a
 * tar stores a hard link as a reference to an earlier entry's name, without the content.
 *
 * @module
 */

/** A kept content and the analyzers that need not read it again under another path. */
export interface LinkTarget {
  readonly content: Buffer;
  /** Types of the analyzers whose result for this content must not be repeated. */
  readonly finished: Set<string>;
}

/**
 * Keeps contents by path up to `maxBytes` in total, so that a layer of many large wanted files
 * does not hold all of them until it ends. A content that does not fit is not kept, so hard links
 * to it cannot be resolved. Smaller contents after it are still kept while they fit.
 */
export class LinkTargets {
  readonly #targets = new Map<string, LinkTarget>();
  readonly #maxBytes: number;
  #bytes = 0;
  #dropped = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** True once a content was not kept because of the byte limit. */
  get dropped(): boolean {
    return this.#dropped;
  }

  /** Keeps `content` under `path` and returns it, or returns undefined when it does not fit. */
  keep(path: string, content: Buffer): LinkTarget | undefined {
    // A path written twice in one layer keeps counting its first content, so the total only grows.
    if (this.#bytes + content.length > this.#maxBytes) {
      this.#dropped = true;
      this.#targets.delete(path);
      return undefined;
    }
    this.#bytes += content.length;
    const target: LinkTarget = { content, finished: new Set() };
    this.#targets.set(path, target);
    return target;
  }

  /** Makes `target` available under `path` too, for hard links to a hard link. It costs no bytes. */
  alias(path: string, target: LinkTarget): void {
    this.#targets.set(path, target);
  }

  find(path: string): LinkTarget | undefined {
    return this.#targets.get(path);
  }
}
