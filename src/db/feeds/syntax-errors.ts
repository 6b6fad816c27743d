/**
 * One-line descriptions of JSON and YAML syntax errors that give the position and the reason but
 * no text of the input. V8's JSON.parse messages quote the input around the error, and the yaml
 * package appends a code frame of several lines.
 *
 * @module
 */

import { YAMLError } from 'yaml';

/** The first place where a text breaks the JSON grammar of RFC 8259, and why. */
export interface JsonSyntaxError {
  /** Offset in UTF-16 code units from the start of the text. */
  readonly offset: number;
  readonly reason: string;
}

type Expected = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** A run of characters that can belong to a number, checked against NUMBER as a whole. */
const NUMBER_LIKE = /[-+.\deE]+/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /[0-9a-fA-F]{4}/y;

/**
 * Returns the first syntax error in `text`, or undefined when it is valid JSON. It walks the text
 * with an explicit stack, so deep nesting cannot overflow the call stack. Run it after JSON.parse
 * has failed, to locate the failure.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const open: string[] = [];
  let expected: Expected = 'value';
  let index = 0;
  const afterValue = (): Expected => (open.length === 0 ? 'end' : 'comma-or-close');

  for (;;) {
    index = skipWhitespace(text, index);
    if (index >= text.length) return expected === 'end' ? undefined : { offset: index, reason: 'unexpected end of input' };
    const char = text[index];

    switch (expected) {
      case 'value':
      case 'value-or-close': {
        if (char === ']' && expected === 'value-or-close') {
          open.pop();
          index += 1;
          expected = afterValue();
          break;
        }
        if (char === '{' || char === '[') {
          open.push(char);
          index += 1;
          expected = char === '{' ? 'key-or-close' : 'value-or-close';
          break;
        }
        const end = scanScalar(text, index);
        if (typeof end !== 'number') return end;
        index = end;
        expected = afterValue();
        break;
      }
      case 'key':
      case 'key-or-close': {
        if (char === '}' && expected === 'key-or-close') {
          open.pop();
          index += 1;
          expected = afterValue();
          break;
        }
        if (char !== '"') return { offset: index, reason: 'expected a property name in double quotes' };
        const end = scanString(text, index);
        if (typeof end !== 'number') return end;
        index = end;
        expected = 'colon';
        break;
      }
      case 'colon':
        if (char !== ':') return { offset: index, reason: 'expected ":" after a property name' };
        index += 1;
        expected = 'value';
        break;
      case 'comma-or-close': {
        const inObject = open.at(-1) === '{';
        if (char === ',') {
          expected = inObject ? 'key' : 'value';
        } else if (char === (inObject ? '}' : ']')) {
          open.pop();
          expected = afterValue();
        } else {
          return { offset: index, reason: inObject ? 'expected "," or "}" after a property value' : 'expected "," or "]" after an array element' };
        }
        index += 1;
        break;
      }
      case 'end':
        return { offset: index, reason: 'unexpected text after the end of the JSON value' };
    }
  }
}

/** Returns the end of the string, number or literal at `start`, or the error in it. */
function scanScalar(text: string, start: number): number | JsonSyntaxError {
  const char = text[start] ?? '';
  if (char === '"') return scanString(text, start);
  for (const literal of ['true', 'false', 'null']) {
    if (text.startsWith(literal, start)) return start + literal.length;
  }
  if (char === '-' || (char >= '0' && char <= '9')) {
    NUMBER_LIKE.lastIndex = start;
    NUMBER_LIKE.test(text);
    const end = NUMBER_LIKE.lastIndex;
    NUMBER.lastIndex = start;
    if (!NUMBER.test(text) || NUMBER.lastIndex !== end) return { offset: start, reason: 'invalid number' };
    return end;
  }
  return { offset: start, reason: 'unexpected character where a value was expected' };
}

function scanString(text: string, start: number): number | JsonSyntaxError {
  for (let index = start + 1; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x22) return index + 1;
    if (code < 0x20) return { offset: index, reason: 'control character inside a string' };
    if (code !== 0x5c) continue;

    const escape = text[index + 1] ?? '';
    if (escape === 'u') {
      HEX4.lastIndex = index + 2;
      if (!HEX4.test(text)) return { offset: index, reason: 'invalid \\u escape in a string' };
      index += 5;
    } else if (ESCAPES.has(escape)) {
      index += 1;
    } else {
      return { offset: index, reason: 'invalid escape sequence in a string' };
    }
  }
  return { offset: text.length, reason: 'unterminated string' };
}

function skipWhitespace(text: string, start: number): number {
  let index = start;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) break;
    index += 1;
  }
  return index;
}

/** Returns the 1-based line and column of `offset` in `text`; lines end at `\n`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) {
    line += 1;
    lineStart = index + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Describes why JSON.parse rejected `text`, e.g. `invalid JSON at line 3, column 7: unterminated string`. */
export function describeJsonError(text: string, error: unknown): string {
  const found = findJsonSyntaxError(text);
  if (found === undefined) {
    // V8's SyntaxError messages quote the input, so only other errors, e.g. RangeError for a string over V8's limit, are shown.
    return error instanceof SyntaxError ? 'invalid JSON (the position of the error could not be found)' : `invalid JSON: ${summarize(error)}`;
  }
  const { line, column } = lineAndColumn(text, found.offset);
  return `invalid JSON at line ${line}, column ${column}: ${found.reason}`;
}

/**
 * Describes a failure of the yaml package in one line. Its parse errors carry a line and column,
 * and their message text ends in a code frame of the input, which is cut off.
 */
export function describeYamlError(error: unknown): string {
  if (error instanceof YAMLError && error.linePos !== undefined) {
    const { line, col } = error.linePos[0];
    const reason = summarize(error).replace(/ at line \d+, column \d+:?$/, '');
    return `invalid YAML at line ${line}, column ${col}: ${reason} (${error.code})`;
  }
  return `invalid YAML: ${summarize(error)}`;
}

/** Returns the first line of an error message, without control characters, cut to 120 characters. */
function summarize(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = (message.split('\n', 1)[0] ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
  return firstLine.length > 120 ? `${firstLine.slice(0, 117)}...` : firstLine;
}
