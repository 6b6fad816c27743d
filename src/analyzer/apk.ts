/**
 * Reads the apk database of Alpine, Wolfi and Chainguard images, `/lib/apk/db/installed`. Its
 * format (https://wiki.alpinelinux.org/wiki/Apk_spec) is stanzas of `K:value` lines, one
 * package per stanza, with blank lines between packages.
 *
 * @module
 */

import type { Package, Unknown } from '../types.js';
import type { Analyzer } from './analyzer.js';

const INSTALLED_FILE = 'lib/apk/db/installed';

/** One package stanza: the first value of each single-letter key. */
export interface ApkStanza {
  /** 1-based line number of the stanza's first line. */
  readonly line: number;
  readonly fields: ReadonlyMap<string, string>;
  /** Lines that are not `K:value`. */
  readonly problems: readonly string[];
}

const LINE = /^([A-Za-z]):(.*)$/;

/**
 * Splits the database into stanzas. Keys such as `F:` (folder) and `R:` (file) repeat within a
 * stanza. Only the first value of each key is kept, because the package fields occur once.
 */
export function parseApkStanzas(text: string): ApkStanza[] {
  const stanzas: ApkStanza[] = [];
  let current: { line: number; fields: Map<string, string>; problems: string[] } | undefined;

  for (const [index, rawLine] of text.split('\n').entries()) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') {
      if (current !== undefined) stanzas.push(current);
      current = undefined;
      continue;
    }
    current ??= { line: index + 1, fields: new Map(), problems: [] };

    const match = LINE.exec(line);
    if (match === null) {
      current.problems.push(`line ${index + 1}: expected "K:value", got ${JSON.stringify(line.slice(0, 60))}`);
      continue;
    }
    const key = match[1] as string;
    if (!current.fields.has(key)) current.fields.set(key, match[2] as string);
  }

  if (current !== undefined) stanzas.push(current);
  return stanzas;
}

/**
 * Splits the `L:` value into licenses. Recent databases hold an SPDX expression, e.g.
 * `( Apache-2.0 OR MIT ) AND MPL-2.0` → `Apache-2.0`, `MIT`, `MPL-2.0`; older ones a space-separated
 * list, e.g. `MIT BSD GPL2+`. A `WITH` exception stays attached to its license.
 */
export function splitLicenses(value: string): string[] {
  const tokens = value.replace(/[()]/g, ' ').split(/\s+/).filter((token) => token !== '');
  const licenses: string[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as string;
    if (/^(AND|OR)$/i.test(token)) continue;
    const exception = tokens[index + 1];
    if (/^WITH$/i.test(token) && licenses.length > 0 && exception !== undefined) {
      licenses[licenses.length - 1] += ` WITH ${exception}`;
      index += 1;
      continue;
    }
    licenses.push(token);
  }
  return licenses;
}

/** Builds a Package from a stanza, or returns why the stanza was skipped. */
export function buildApkPackage(stanza: ApkStanza): { readonly package: Package } | { readonly reason: string } {
  const { fields } = stanza;
  const name = fields.get('P');
  const label = name === undefined ? `stanza at line ${stanza.line}` : `package ${JSON.stringify(name)} at line ${stanza.line}`;
  if (stanza.problems.length > 0) return { reason: `${label} skipped: ${stanza.problems.join('; ')}` };
  if (name === undefined || name === '') return { reason: `${label} skipped: no P: (name) line` };

  const version = fields.get('V');
  if (version === undefined || version === '') return { reason: `${label} skipped: no V: (version) line` };

  const arch = fields.get('A');
  const license = fields.get('L');
  const maintainer = fields.get('m');
  return {
    package: {
      name,
      version,
      // The origin is the aports package that built this one, which secdb advisories name.
      srcName: fields.get('o') || name,
      srcVersion: version,
      ...(arch === undefined ? {} : { arch }),
      ...(license === undefined ? {} : { licenses: splitLicenses(license) }),
      ...(maintainer === undefined ? {} : { maintainer }),
    },
  };
}

export const apkAnalyzer: Analyzer = {
  type: 'apk',
  version: 1,
  reads: [INSTALLED_FILE],

  required(path) {
    return path === INSTALLED_FILE;
  },

  analyze({ path, content }) {
    const packages: Package[] = [];
    const unknowns: Unknown[] = [];
    for (const stanza of parseApkStanzas(content.toString('utf8'))) {
      const outcome = buildApkPackage(stanza);
      if ('package' in outcome) packages.push(outcome.package);
      else unknowns.push({ path, reason: outcome.reason });
    }
    // An empty database is still returned, because it replaces the one of a lower layer.
    return { packageDatabases: [{ type: 'apk', path, packages }], unknowns };
  },
};
