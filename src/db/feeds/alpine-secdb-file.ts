/**
 * Checks the shape of one parsed secdb file and returns its packages. Values are read as strings
 * because the YAML form is parsed with the failsafe schema, where an empty value is `""`.
 *
 * @module
 */

import { FeedError } from '../../errors.js';
import { describeValue, isObject } from './files.js';

const FEED = 'alpine-secdb';

export interface SecdbPackage {
  /** Origin package name, e.g. `openssl`. */
  readonly name: string;
  /** Fixed version → secfixes entries, in file order. */
  readonly secfixes: readonly (readonly [string, readonly string[]])[];
}

export interface SecdbFile {
  /** Release as the file names it, e.g. `v3.10`, or undefined when the file has none. */
  readonly distroversion: string | undefined;
  readonly packages: readonly SecdbPackage[];
}

/**
 * Parses a repository file (`{ distroversion, packages: [{ pkg: {...} }] }`) or a per-package
 * file (`{ distroversion, name, secfixes }`). It throws FeedError on any other shape.
 */
export function parseSecdbFile(data: unknown, path: string): SecdbFile {
  if (!isObject(data)) {
    throw new FeedError(FEED, path, `expected a JSON or YAML object, got ${describeValue(data)}`);
  }
  const distroversion = optionalString(data['distroversion'], 'distroversion', path);

  if ('packages' in data) {
    const list = data['packages'];
    // An empty YAML `packages:` parses as "" under the failsafe schema, and JSON writes [].
    if (list === '' || list === null) return { distroversion, packages: [] };
    if (!Array.isArray(list)) throw new FeedError(FEED, path, `"packages" must be a list, got ${describeValue(list)}`);
    const packages = list.map((item: unknown, index) => {
      const pkg = isObject(item) ? item['pkg'] : undefined;
      if (!isObject(pkg)) throw new FeedError(FEED, path, `packages[${index}] must be an object with a "pkg" object`);
      return parsePackage(pkg, path, `packages[${index}].pkg`);
    });
    return { distroversion, packages };
  }

  if ('name' in data) return { distroversion, packages: [parsePackage(data, path, 'top level')] };

  throw new FeedError(FEED, path, 'neither "packages" nor "name" found; expected a secdb repository file or a vuln-list package file');
}

function parsePackage(pkg: Record<string, unknown>, path: string, where: string): SecdbPackage {
  const name = pkg['name'];
  if (typeof name !== 'string' || name === '') {
    throw new FeedError(FEED, path, `${where}: "name" must be a non-empty string, got ${describeValue(name)}`);
  }

  const raw = pkg['secfixes'];
  if (raw === undefined || raw === null || raw === '') return { name, secfixes: [] };
  if (!isObject(raw)) throw new FeedError(FEED, path, `${where} (${name}): "secfixes" must be a map of version to IDs, got ${describeValue(raw)}`);

  const secfixes = Object.entries(raw).map(([version, entries]): [string, string[]] => [
    version,
    parseEntries(entries, path, `${where} (${name}) secfixes "${version}"`),
  ]);
  return { name, secfixes };
}

function parseEntries(entries: unknown, path: string, where: string): string[] {
  if (entries === null || entries === undefined) return [];
  // A YAML key with no list parses as "" and a single scalar as a string.
  if (typeof entries === 'string') return [entries];
  if (!Array.isArray(entries)) throw new FeedError(FEED, path, `${where}: expected a list of IDs, got ${describeValue(entries)}`);
  return entries.map((entry: unknown, index) => {
    if (typeof entry !== 'string') throw new FeedError(FEED, path, `${where}[${index}]: expected a string, got ${describeValue(entry)}`);
    return entry;
  });
}

function optionalString(value: unknown, field: string, path: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new FeedError(FEED, path, `"${field}" must be a string, got ${describeValue(value)}`);
  return value;
}
