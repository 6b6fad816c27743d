/**
 * Streams the members of a JSON file whose top level is one large object, such as the Debian
 * security tracker export (about 80 MB, keyed by package). Only the text of one member's value
 * stays in memory at a time, and JSON.parse reads each value once it is complete.
 *
 * @module
 */

import { errorMessage, FeedError } from '../../errors.js';
import { type FeedRoot, openFeedFile } from './files.js';
import { findJsonSyntaxError } from './syntax-errors.js';

/** A key of the top-level object with its parsed value. */
export interface JsonMember {
  readonly key: string;
  readonly value: unknown;
}

/** Yields the members of the top-level object of the file at `path` in the source, in file order. */
export async function* readJsonMembers(root: FeedRoot, path: string): AsyncGenerator<JsonMember, void, undefined> {
  const { handle } = await openFeedFile(root, path);
  // The stream closes the handle when it ends or is destroyed.
  const stream = handle.createReadStream({ encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    yield* scanJsonMembers(root.feed, path, stream as AsyncIterable<string>);
  } catch (error) {
    if (error instanceof FeedError) throw error;
    throw new FeedError(root.feed, path, `cannot read the file (${errorMessage(error)})`, { cause: error });
  } finally {
    stream.destroy();
  }
}

/** Yields the members of a top-level object whose text arrives in `chunks`. `path` names the source in errors. */
export async function* scanJsonMembers(feed: string, path: string, chunks: AsyncIterable<string>): AsyncGenerator<JsonMember, void, undefined> {
  const scanner = new MemberScanner(feed, path);
  for await (const chunk of chunks) {
    yield* scanner.push(chunk);
  }
  scanner.end();
}

type State = 'start' | 'key-or-end' | 'key' | 'key-string' | 'colon' | 'value' | 'nested' | 'string' | 'scalar' | 'comma-or-end' | 'done';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const BYTE_ORDER_MARK = 0xfeff;

/**
 * A push scanner over the top level only. It tracks string and bracket nesting to find where each
 * value ends, and JSON.parse reads the value itself.
 */
class MemberScanner {
  readonly #feed: string;
  readonly #path: string;
  #state: State = 'start';
  /** Characters consumed before the current chunk, for error positions. */
  #offset = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** Text of the key or value being read, from earlier chunks. */
  #parts: string[] = [];
  /** Character offset where the key or value being read starts, for error positions. */
  #tokenStart = 0;
  #key = '';

  constructor(feed: string, path: string) {
    this.#feed = feed;
    this.#path = path;
  }

  /** Scans one chunk and returns the members that it completes. */
  push(chunk: string): JsonMember[] {
    const members: JsonMember[] = [];
    let start = this.#state === 'key-string' || this.#isInValue() ? 0 : -1;

    for (let i = 0; i < chunk.length; i += 1) {
      const code = chunk.charCodeAt(i);
      switch (this.#state) {
        case 'start':
          if (code === BYTE_ORDER_MARK && this.#offset + i === 0) break;
          if (isSpace(code)) break;
          if (code !== OPEN_BRACE) this.#fail(i, 'expected "{" at the start: the top level must be an object');
          this.#state = 'key-or-end';
          break;

        case 'key-or-end':
        case 'key':
          if (isSpace(code)) break;
          if (code === CLOSE_BRACE && this.#state === 'key-or-end') {
            this.#state = 'done';
            break;
          }
          if (code !== QUOTE) this.#fail(i, 'expected a quoted key');
          this.#state = 'key-string';
          start = i;
          this.#tokenStart = this.#offset + i;
          break;

        case 'key-string':
          if (this.#endsString(code)) {
            this.#key = this.#parse(this.#take(chunk, start, i + 1), 'a key') as string;
            start = -1;
            this.#state = 'colon';
          }
          break;

        case 'colon':
          if (isSpace(code)) break;
          if (code !== COLON) this.#fail(i, `expected ":" after key ${quoteKey(this.#key)}`);
          this.#state = 'value';
          break;

        case 'value':
          if (isSpace(code)) break;
          start = i;
          this.#tokenStart = this.#offset + i;
          if (code === OPEN_BRACE || code === OPEN_BRACKET) {
            this.#depth = 1;
            this.#state = 'nested';
          } else if (code === QUOTE) {
            this.#state = 'string';
          } else {
            this.#state = 'scalar';
          }
          break;

        case 'nested':
          if (this.#inString) {
            if (this.#endsString(code)) this.#inString = false;
          } else if (code === QUOTE) {
            this.#inString = true;
          } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
            this.#depth += 1;
          } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
            this.#depth -= 1;
            if (this.#depth === 0) {
              members.push(this.#member(this.#take(chunk, start, i + 1)));
              start = -1;
            }
          }
          break;

        case 'string':
          if (this.#endsString(code)) {
            members.push(this.#member(this.#take(chunk, start, i + 1)));
            start = -1;
          }
          break;

        case 'scalar':
          if (isSpace(code) || code === COMMA || code === CLOSE_BRACE) {
            members.push(this.#member(this.#take(chunk, start, i)));
            start = -1;
            i -= 1; // the terminator belongs to the next state
          }
          break;

        case 'comma-or-end':
          if (isSpace(code)) break;
          if (code === COMMA) this.#state = 'key';
          else if (code === CLOSE_BRACE) this.#state = 'done';
          else this.#fail(i, `expected "," or "}" after the value of ${quoteKey(this.#key)}`);
          break;

        case 'done':
          if (!isSpace(code)) this.#fail(i, 'unexpected text after the closing "}"');
          break;
      }
    }

    if (start >= 0) this.#parts.push(chunk.slice(start));
    this.#offset += chunk.length;
    return members;
  }

  /** Checks that the file ended after the closing brace. */
  end(): void {
    if (this.#state !== 'done') this.#fail(0, 'unexpected end of file: the top-level object is not closed');
  }

  #isInValue(): boolean {
    return this.#state === 'nested' || this.#state === 'string' || this.#state === 'scalar';
  }

  /** Tracks escapes inside a string and returns true on the closing quote. */
  #endsString(code: number): boolean {
    if (this.#escaped) {
      this.#escaped = false;
      return false;
    }
    if (code === BACKSLASH) {
      this.#escaped = true;
      return false;
    }
    return code === QUOTE;
  }

  #take(chunk: string, start: number, end: number): string {
    const text = this.#parts.join('') + chunk.slice(start, end);
    this.#parts = [];
    return text;
  }

  #member(text: string): JsonMember {
    this.#state = 'comma-or-end';
    return { key: this.#key, value: this.#parse(text, `the value of ${quoteKey(this.#key)}`) };
  }

  /** Parses the text of a key or value that starts at #tokenStart; `what` names it in errors. */
  #parse(text: string, what: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // JSON.parse messages quote the input, so the error is located again to report only where and why.
      const found = findJsonSyntaxError(text);
      const offset = this.#tokenStart + (found?.offset ?? 0);
      throw this.#error(offset, `${found?.reason ?? 'parsing failed'} in ${what}`);
    }
  }

  #fail(index: number, message: string): never {
    throw this.#error(this.#offset + index, message);
  }

  #error(offset: number, message: string): FeedError {
    return new FeedError(this.#feed, this.#path, `invalid JSON at character ${offset}: ${message}`);
  }
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** Quotes a key for an error message, escaped and cut to 60 characters, so the message stays one short line. */
function quoteKey(key: string): string {
  return JSON.stringify(key.length > 60 ? `${key.slice(0, 57)}...` : key);
}
