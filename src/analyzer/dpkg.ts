/**
 * Reads the dpkg database: `/var/lib/dpkg/status`, and the one-file-per-package
 * `/var/lib/dpkg/status.d/` that distroless images write in its place.
 *
 * @module
 */

import type { Package, Unknown } from '../types.js';
import type { Analyzer } from './analyzer.js';
import { parseStanzas, type Stanza } from './control-file.js';

const STATUS_FILE = 'var/lib/dpkg/status';
const STATUS_DIR = 'var/lib/dpkg/status.d/';

/**
 * Suffixes of package control members found beside status.d files, e.g. `libc6.md5sums` or
 * `libsqlite3-0.preinst`. Package names may contain dots (`libpython3.11`), so only these are excluded.
 */
const CONTROL_MEMBERS = new Set(['md5sums', 'conffiles', 'preinst', 'postinst', 'prerm', 'postrm', 'config', 'templates', 'triggers', 'shlibs', 'symbols', 'list']);

/** Returns true for `var/lib/dpkg/status` and for package files directly inside `status.d/`. */
export function isDpkgDatabase(path: string): boolean {
  if (path === STATUS_FILE) return true;
  if (!path.startsWith(STATUS_DIR)) return false;

  const name = path.slice(STATUS_DIR.length);
  if (name === '' || name.includes('/') || name.startsWith('.')) return false;
  const dot = name.lastIndexOf('.');
  return dot < 0 || !CONTROL_MEMBERS.has(name.slice(dot + 1));
}

/** dpkg package states (the third word of `Status`) in which no package file is left on disk. */
const ABSENT_STATES: ReadonlySet<string> = new Set(['not-installed', 'config-files']);

export type StanzaOutcome =
  | { readonly kind: 'package'; readonly package: Package }
  /** A package that dpkg lists but that is not installed, e.g. removed with its config files kept. */
  | { readonly kind: 'not-installed' }
  | { readonly kind: 'malformed'; readonly reason: string };

/**
 * Builds a Package from one stanza. A stanza without `Status`, as in status.d files, counts as
 * installed. Otherwise only the states that leave no package files on disk, `not-installed` and
 * `config-files`, count as absent. Half-installed, unpacked or half-configured packages have their
 * files in the image, so they are reported rather than hidden.
 */
export function buildDpkgPackage(stanza: Stanza): StanzaOutcome {
  const { fields } = stanza;
  const name = fields.get('package');
  const label = name === undefined ? `stanza at line ${stanza.line}` : `package ${JSON.stringify(name)} at line ${stanza.line}`;
  if (stanza.problems.length > 0) return { kind: 'malformed', reason: `${label} skipped: ${stanza.problems.join('; ')}` };
  if (name === undefined || name === '') return { kind: 'malformed', reason: `${label} skipped: no Package field` };

  const status = fields.get('status');
  const state = status?.split(/\s+/)[2];
  if (state !== undefined && ABSENT_STATES.has(state)) return { kind: 'not-installed' };

  const version = fields.get('version');
  if (version === undefined || version === '') return { kind: 'malformed', reason: `${label} skipped: no Version field` };

  // `Source: name` or `Source: name (version)`, where the version appears only when it differs from `Version`.
  const source = /^(\S+)(?:\s+\((.+)\))?$/.exec(fields.get('source') ?? '');
  const arch = fields.get('architecture');
  const maintainer = fields.get('maintainer');
  return {
    kind: 'package',
    package: {
      name,
      version,
      srcName: source?.[1] ?? name,
      srcVersion: source?.[2]?.trim() ?? version,
      ...(arch === undefined ? {} : { arch }),
      ...(maintainer === undefined ? {} : { maintainer }),
    },
  };
}

export const dpkgAnalyzer: Analyzer = {
  type: 'dpkg',
  version: 2,
  reads: [STATUS_FILE, `${STATUS_DIR}*`],

  required(path) {
    return isDpkgDatabase(path);
  },

  analyze({ path, content }) {
    const packages: Package[] = [];
    const unknowns: Unknown[] = [];
    for (const stanza of parseStanzas(content.toString('utf8'))) {
      const outcome = buildDpkgPackage(stanza);
      if (outcome.kind === 'package') packages.push(outcome.package);
      if (outcome.kind === 'malformed') unknowns.push({ path, reason: outcome.reason });
    }
    // An empty database is still returned, because it replaces the one of a lower layer.
    return { packageDatabases: [{ type: 'dpkg', path, packages }], unknowns };
  },
};
