/**
 * Alpine package version ordering as apk-tools 2.x compares versions, the comparator of Alpine
 * 3.x (the token reader of src/version.c, checked against `apk version -t` of Alpine 3.10).
 *
 * A version is `digits{.digits}...{letter}{_suffix{digits}}...{-rN}`, e.g. `1.2.3b_rc1-r2`.
 * Versions compare token by token. `_alpha`, `_beta`, `_pre` and `_rc` sort below the release,
 * `_cvs`, `_svn`, `_git`, `_hg` and `_p` above it, in that order. A component after a dot that
 * starts with zeros is split: the zeros form a token worth minus their count, then the remaining
 * digits follow, so `1.05 < 1.5` and `1.0 > 1.00`. apk-tools 2.x has a side effect of this split:
 * after a component of only zeros, a version that goes on with a pre-release suffix sorts above
 * the version that ends there (`1.0_rc1 > 1.0`), unless both carry a revision (`1.0_rc1-r0 < 1.0-r0`).
 *
 * Invalid versions do not throw. They compare as apk-tools 2.x compares them, which gives a
 * defined order. Tokens are compared up to the first character that cannot continue the version.
 * There, the version that turned invalid sorts above one that ends or continues validly, and
 * equal to one that turned invalid at the same point: `1.2.0A > 1.2.0d`, `1 < 1-ruff` and
 * `1-ruff1 = 1-ruff2`. An unknown suffix sorts above every `_rc` and below the release:
 * `1.2_rc1 < 1.2_blah < 1.2`.
 *
 * NOTE: later apk-tools releases rewrote this comparator. They order invalid versions and
 * zero-led components differently (e.g. `1.2.0A < 1.2.0d` there); this module follows 2.x.
 *
 * @module
 */

// Token types with apk-tools 2.x's numeric codes. When all tokens so far are equal but the next
// token types differ, the version whose next type has the lower code sorts higher.
const TOKEN_INVALID = -1;
const TOKEN_DIGIT_OR_ZERO = 0;
const TOKEN_DIGIT = 1;
const TOKEN_LETTER = 2;
const TOKEN_SUFFIX = 3;
const TOKEN_SUFFIX_NO = 4;
const TOKEN_REVISION_NO = 5;
const TOKEN_END = 6;

// A suffix weighs its index minus 4 when it is a pre-release suffix and its index otherwise.
// apk-tools 2.x matches these as prefixes, in this order, so `_pre` is found before `_p`.
const PRE_RELEASE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'] as const;
const POST_RELEASE_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'] as const;

/** Compares two Alpine versions as apk-tools 2.x does. Never throws; see the module notes for invalid versions. */
export function compareApkVersions(a: string, b: string): -1 | 0 | 1 {
  const left = new ApkTokenReader(a);
  const right = new ApkTokenReader(b);

  let order: -1 | 0 | 1 = 0;
  while (order === 0 && left.type === right.type && left.type !== TOKEN_END && left.type !== TOKEN_INVALID) {
    left.read();
    right.read();
    order = compareTokens(left, right);
  }
  if (order !== 0 || left.type === right.type) return order;

  // All tokens so far are equal. The version that continues is greater, unless it continues
  // with a pre-release or unknown suffix.
  if (left.type === TOKEN_SUFFIX && left.peekSuffixWeight() < 0) return -1;
  if (right.type === TOKEN_SUFFIX && right.peekSuffixWeight() < 0) return 1;
  return left.type > right.type ? -1 : 1;
}

/**
 * Returns whether `text` is a valid Alpine version: it starts with a digit and apk-tools 2.x
 * reads it to the end without an invalid token. apk-tools' own check (`apk version --check`)
 * skips the leading-digit test and so also accepts `''`, `.1` and `a`.
 */
export function isValidApkVersion(text: string): boolean {
  if (!isDigit(text.charCodeAt(0))) return false;
  const reader = new ApkTokenReader(text);
  while (reader.type !== TOKEN_END && reader.type !== TOKEN_INVALID) reader.read();
  return reader.type === TOKEN_END;
}

function compareTokens(left: ApkTokenReader, right: ApkTokenReader): -1 | 0 | 1 {
  if (left.digitsEnd >= 0 && right.digitsEnd >= 0) {
    return compareDigitRuns(left.text, left.digitsStart, left.digitsEnd, right.text, right.digitsStart, right.digitsEnd);
  }
  if (left.value === right.value) return 0;
  return left.value < right.value ? -1 : 1;
}

/**
 * Compares two decimal digit runs as integers of any length. apk-tools 2.x adds digits into a C
 * int, which overflows past 9 digits (e.g. `_git20210530193627`); this compares exactly instead.
 */
function compareDigitRuns(a: string, aStart: number, aEnd: number, b: string, bStart: number, bEnd: number): -1 | 0 | 1 {
  while (aStart < aEnd && a.charCodeAt(aStart) === 0x30) aStart++;
  while (bStart < bEnd && b.charCodeAt(bStart) === 0x30) bStart++;
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  if (aLength !== bLength) return aLength < bLength ? -1 : 1;
  for (let offset = 0; offset < aLength; offset++) {
    const difference = a.charCodeAt(aStart + offset) - b.charCodeAt(bStart + offset);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return 0;
}

/**
 * Reader of the tokens of one version. `type` is the type of the token that the next `read()`
 * consumes. After `read()`, `value` and, for a digit run, `digitsStart` and `digitsEnd` describe
 * the consumed token.
 */
class ApkTokenReader {
  readonly text: string;
  type = TOKEN_DIGIT;
  /**
   * Weight of the last token: a number, a letter's char code, a suffix weight, minus the count of
   * zeros for a zero-led dot component, or -1 for an unknown suffix.
   */
  value = 0;
  /** Range of the last token's digits in `text`; `digitsEnd` is -1 when the token is not a digit run. */
  digitsStart = 0;
  digitsEnd = -1;
  #position = 0;

  constructor(text: string) {
    this.text = text;
  }

  /** Consumes the token of type `type`, then sets `type` to the type of the token that follows. */
  read(): void {
    const text = this.text;
    this.digitsEnd = -1;
    if (this.#position >= text.length) {
      this.type = TOKEN_END;
      this.value = 0;
      return;
    }

    let followingType = TOKEN_INVALID;
    switch (this.type) {
      case TOKEN_DIGIT_OR_ZERO:
        // Zeros at the start of a dot component form their own token, followed by the remaining digits.
        if (text.charCodeAt(this.#position) === 0x30) {
          const start = this.#position;
          while (text.charCodeAt(this.#position) === 0x30) this.#position++;
          this.value = start - this.#position;
          followingType = TOKEN_DIGIT;
          break;
        }
        this.#readDigits();
        break;
      case TOKEN_DIGIT:
      case TOKEN_SUFFIX_NO:
      case TOKEN_REVISION_NO:
        this.#readDigits();
        break;
      case TOKEN_LETTER:
        this.value = text.charCodeAt(this.#position);
        this.#position++;
        break;
      case TOKEN_SUFFIX: {
        const suffix = matchSuffix(text, this.#position);
        if (suffix === undefined) {
          this.type = TOKEN_INVALID;
          this.value = -1;
          return;
        }
        this.value = suffix.weight;
        this.#position += suffix.length;
        break;
      }
      default:
        this.type = TOKEN_INVALID;
        this.value = -1;
        return;
    }

    if (this.#position >= text.length) this.type = TOKEN_END;
    else if (followingType !== TOKEN_INVALID) this.type = followingType;
    else this.#advanceToNextToken();
  }

  /**
   * Returns the weight of the suffix at the current position: -1 when it is unknown, and 0 for a
   * bare `_` at the end, which apk-tools 2.x reads as an end token worth 0.
   */
  peekSuffixWeight(): number {
    if (this.#position >= this.text.length) return 0;
    return matchSuffix(this.text, this.#position)?.weight ?? -1;
  }

  /** Reads a possibly empty digit run; an empty run weighs 0. */
  #readDigits(): void {
    const start = this.#position;
    let value = 0;
    while (isDigit(this.text.charCodeAt(this.#position))) {
      value = value * 10 + this.text.charCodeAt(this.#position) - 0x30;
      this.#position++;
    }
    this.value = value;
    this.digitsStart = start;
    this.digitsEnd = this.#position;
  }

  /** Determines the type of the next token from its first character and skips its separator. */
  #advanceToNextToken(): void {
    const text = this.text;
    const code = text.charCodeAt(this.#position);
    const previous = this.type;
    let next = TOKEN_INVALID;

    if ((previous === TOKEN_DIGIT || previous === TOKEN_DIGIT_OR_ZERO) && isLowercase(code)) {
      next = TOKEN_LETTER;
    } else if (previous === TOKEN_LETTER && isDigit(code)) {
      next = TOKEN_DIGIT;
    } else if (previous === TOKEN_SUFFIX && isDigit(code)) {
      next = TOKEN_SUFFIX_NO;
    } else {
      if (code === 0x2e) {
        next = TOKEN_DIGIT_OR_ZERO;
      } else if (code === 0x5f) {
        next = TOKEN_SUFFIX;
      } else if (code === 0x2d && text.charCodeAt(this.#position + 1) === 0x72) {
        // `-r` starts the revision, and both of its characters are skipped.
        next = TOKEN_REVISION_NO;
        this.#position++;
      }
      // apk-tools 2.x skips the separator, or the first character of an invalid token.
      this.#position++;
    }

    // The type code may only grow, except for the three steps that start a new component.
    const allowedStep =
      (next === TOKEN_DIGIT_OR_ZERO && previous === TOKEN_DIGIT) ||
      (next === TOKEN_SUFFIX && previous === TOKEN_SUFFIX_NO) ||
      (next === TOKEN_DIGIT && previous === TOKEN_LETTER);
    this.type = next < previous && !allowedStep ? TOKEN_INVALID : next;
  }
}

/** Matches a known suffix name at `position` as a prefix of the remaining text. */
function matchSuffix(text: string, position: number): { weight: number; length: number } | undefined {
  for (let index = 0; index < PRE_RELEASE_SUFFIXES.length; index++) {
    const name = PRE_RELEASE_SUFFIXES[index]!;
    if (text.startsWith(name, position)) return { weight: index - PRE_RELEASE_SUFFIXES.length, length: name.length };
  }
  for (let index = 0; index < POST_RELEASE_SUFFIXES.length; index++) {
    const name = POST_RELEASE_SUFFIXES[index]!;
    if (text.startsWith(name, position)) return { weight: index, length: name.length };
  }
  return undefined;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isLowercase(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}
