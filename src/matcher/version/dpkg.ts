/**
 * Debian package version ordering, as deb-version(7) defines it and dpkg implements it
 * (`parseversion` and `verrevcmp` in lib/dpkg, checked against `dpkg --compare-versions` 1.21).
 *
 * A version is `[epoch:]upstream_version[-debian_revision]`. Epochs compare as integers and a
 * missing epoch is 0. The other two parts compare as alternating runs: a non-digit run compares
 * character by character, where `~` sorts before everything including the end of the part, the
 * end sorts before letters, and letters sort before other characters. A digit run compares as an
 * integer. A missing revision is empty, which compares equal to `0`.
 *
 * @module
 */

import { InvalidVersionError } from './errors.js';

/** A parsed Debian version; `upstream` and `revision` keep their original spelling. */
export interface DpkgVersion {
  /** 0 when the version has no `epoch:` prefix. */
  readonly epoch: number;
  readonly upstream: string;
  /** Empty when the version has no hyphen. */
  readonly revision: string;
}

/** dpkg stores the epoch in a C int and rejects larger values. */
const MAX_EPOCH = 2_147_483_647;

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Parses a Debian version and throws InvalidVersionError where `dpkg --compare-versions` fails
 * with a syntax error: empty text, embedded blanks, an empty, non-numeric, negative or too large
 * epoch, nothing after the epoch colon, or an empty revision after a trailing hyphen.
 *
 * Blanks (space, tab) around the version are trimmed. An upstream version that does not start
 * with a digit, or characters outside deb-version(7)'s sets, only make dpkg print a warning, so
 * they parse here and compare as dpkg compares them.
 */
export function parseDpkgVersion(text: string): DpkgVersion {
  const version = trimBlanks(text);
  if (version === '') throw new InvalidVersionError('dpkg', text, 'the version is empty');
  if (/[ \t]/.test(version)) throw new InvalidVersionError('dpkg', text, 'the version contains a space or tab');

  // The first colon ends the epoch, so later colons belong to the upstream version.
  const colon = version.indexOf(':');
  let epoch = 0;
  if (colon >= 0) {
    epoch = parseEpoch(text, version.slice(0, colon));
    if (colon === version.length - 1) throw new InvalidVersionError('dpkg', text, 'nothing follows the epoch colon');
  }

  // The last hyphen starts the revision, so the upstream version may contain hyphens.
  const rest = version.slice(colon + 1);
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision === '') throw new InvalidVersionError('dpkg', text, 'the revision after the last hyphen is empty');
  if (upstream === '') throw new InvalidVersionError('dpkg', text, 'the upstream version is empty');

  return { epoch, upstream, revision };
}

/**
 * Compares two Debian versions as `dpkg --compare-versions` does. Throws InvalidVersionError
 * when either version is invalid (see parseDpkgVersion).
 */
export function compareDpkgVersions(a: string, b: string): -1 | 0 | 1 {
  return compareParsedDpkgVersions(parseDpkgVersion(a), parseDpkgVersion(b));
}

/** Compares two parsed Debian versions: epoch, then upstream version, then revision. */
export function compareParsedDpkgVersions(a: DpkgVersion, b: DpkgVersion): -1 | 0 | 1 {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return comparePart(a.upstream, b.upstream) || comparePart(a.revision, b.revision);
}

/**
 * Parses the epoch as dpkg does with C's strtol: optional leading white space, an optional sign,
 * then decimal digits up to the colon.
 */
function parseEpoch(text: string, field: string): number {
  const match = /^[\t\n\v\f\r ]*([+-]?)(\d+)$/.exec(field);
  if (match === null) {
    const reason = field === '' ? 'the epoch before the colon is empty' : `the epoch ${JSON.stringify(field)} is not a number`;
    throw new InvalidVersionError('dpkg', text, reason);
  }

  const digits = Number(match[2]);
  // `-0` is accepted by strtol and is epoch 0.
  if (match[1] === '-' && digits !== 0) throw new InvalidVersionError('dpkg', text, `the epoch ${field} is negative`);
  if (digits > MAX_EPOCH) throw new InvalidVersionError('dpkg', text, `the epoch ${field} is larger than ${MAX_EPOCH}`);
  return digits;
}

function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Compares an upstream version or a revision with dpkg's `verrevcmp`: alternate a non-digit run,
 * compared by `characterWeight`, with a digit run, compared as an integer of any length.
 */
function comparePart(a: string, b: string): -1 | 0 | 1 {
  // dpkg compares bytes, so text outside ASCII is compared as its UTF-8 bytes.
  if (NON_ASCII.test(a) || NON_ASCII.test(b)) {
    a = Buffer.from(a, 'utf8').toString('latin1');
    b = Buffer.from(b, 'utf8').toString('latin1');
  }

  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit run. Past the end of a string the weight is 0, like a digit.
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const left = characterWeight(a, i);
      const right = characterWeight(b, j);
      if (left !== right) return left < right ? -1 : 1;
      i++;
      j++;
    }

    // Digit run: skip leading zeros, then the longer run is the larger number, and runs of equal
    // length are ordered by their first differing digit.
    while (a.charCodeAt(i) === 0x30) i++;
    while (b.charCodeAt(j) === 0x30) j++;
    let firstDifference = 0;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDifference === 0) firstDifference = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDifference !== 0) return firstDifference < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * Returns the sort weight of the character at `index`: `~` is -1, the end and digits are 0,
 * ASCII letters their code (65 to 122), and any other ASCII character its code plus 256.
 */
function characterWeight(text: string, index: number): number {
  if (index >= text.length) return 0;
  const code = text.charCodeAt(index);
  if (isDigit(code)) return 0;
  if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return code;
  if (code === 0x7e) return -1;
  // NOTE: dpkg reads bytes as C `char`. Where char is signed, as on amd64 where this was checked,
  // a byte of 128 or more weighs its own value. Where char is unsigned, as on arm64, it weighs
  // its value plus 256, so dpkg there sorts non-ASCII text after ASCII punctuation.
  if (code >= 0x80) return code;
  return code + 256;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
