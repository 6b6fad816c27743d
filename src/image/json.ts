/**
 * Parsing of the JSON metadata of an image (indexes, manifests, configs, `manifest.json`) with
 * errors that never quote the input, and a bound on how deeply arrays and objects nest.
 *
 * @module
 */

import { ImageError } from '../errors.js';

/**
 * Maximum nesting of arrays and objects in an index, manifest or config. Real ones nest about 5
 * levels deep. The config is later copied into the JSON report, and `JSON.stringify` recurses, so
 * on Node 20.20 with the default stack size it throws RangeError at about 4,200 nested arrays.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * Parses JSON. Throws ImageError naming `label` when the bytes are not valid JSON or when arrays
 * and objects nest deeper than `maxDepth` levels.
 */
export function parseJson(bytes: Uint8Array, label: string, path: string, maxDepth: number = MAX_JSON_DEPTH): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  let document: unknown;
  try {
    document = JSON.parse(text) as unknown;
  } catch (error) {
    // The SyntaxError is not kept as the cause, because V8's message quotes the input, which may
    // be the first bytes of a file that the image links to.
    throw new ImageError(`${path}: ${label} is not valid JSON: ${describeSyntaxError(error)}`, path);
  }

  const deep = findDeepNesting(text, maxDepth);
  if (deep !== undefined) {
    throw new ImageError(
      `${path}: ${label} nests arrays and objects deeper than ${maxDepth} levels (at position ${deep}); no valid image needs that, so the image is rejected`,
      path,
    );
  }
  return document;
}

/**
 * Returns the reason of a JSON.parse error without the input that V8 quotes in it, e.g.
 * `Unexpected token 'r', "root:x:0:0"... is not valid JSON` becomes `unexpected character`.
 */
export function describeSyntaxError(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (message.startsWith('Unexpected end of JSON input')) return 'unexpected end of input';

  const positioned = /^(.*?)(?: in JSON)? at position (\d+)/.exec(message);
  if (positioned !== null) {
    const [, reason = '', position] = positioned;
    // Older V8 versions (Node 18) write `Unexpected token r in JSON at position 0`, quoting one character.
    const safeReason = reason.startsWith('Unexpected token') || reason.includes('"') ? 'unexpected character' : lowerFirst(reason);
    return `${safeReason} at position ${position}`;
  }
  if (message.startsWith('Unexpected token')) return 'unexpected character';
  return 'syntax error';
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Returns the position of the first `[` or `{` that opens level `maxDepth + 1`, or undefined when
 * the nesting stays within `maxDepth`. `text` must be valid JSON. The scan is a loop, so it cannot
 * overflow the stack itself.
 */
function findDeepNesting(text: string, maxDepth: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      depth++;
      if (depth > maxDepth) return i;
    } else if (char === ']' || char === '}') {
      depth--;
    }
  }
  return undefined;
}
