/**
 * Reads known-answer files of ordered version pairs, one `a OP b` per line with OP one of
 * `<`, `=`, `>`. Lines starting with `#` are comments; blank lines are skipped.
 *
 * @module
 */

import { readFileSync } from 'node:fs';

export type Order = -1 | 0 | 1;

export interface KnownAnswer {
  readonly a: string;
  readonly b: string;
  readonly expected: Order;
  /** The row as written, e.g. `1.0 < 1.0bc`. */
  readonly text: string;
  /** One-based line number in the file. */
  readonly line: number;
}

const OPERATORS: Record<string, Order> = { '<': -1, '=': 0, '>': 1 };

/** Returns every pair in the file; throws on a line that is neither a comment, blank nor a pair. */
export function readKnownAnswers(path: string): KnownAnswer[] {
  const answers: KnownAnswer[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');

  for (const [index, raw] of lines.entries()) {
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) continue;

    const fields = text.split(/\s+/);
    const expected = OPERATORS[fields[1] ?? ''];
    if (fields.length !== 3 || expected === undefined) {
      throw new Error(`${path}:${index + 1}: expected "a OP b" with OP one of < = >, got ${JSON.stringify(raw)}`);
    }
    answers.push({ a: fields[0]!, b: fields[2]!, expected, text, line: index + 1 });
  }

  return answers;
}

/** Returns the operator that `order` stands for, for messages. */
export function operatorOf(order: number): string {
  if (order < 0) return '<';
  if (order > 0) return '>';
  return '=';
}
