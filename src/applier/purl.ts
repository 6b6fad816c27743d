/**
 * Package URLs for OS packages, following the purl spec's `apk` and `deb` types
 * (https://github.com/package-url/purl-spec). Qualifiers are sorted by key as the spec requires.
 *
 * @module
 */

import type { OSInfo, Package } from '../types.js';

/** Purl types by package database type. */
const PURL_TYPES: Readonly<Record<string, string>> = { apk: 'apk', dpkg: 'deb' };

/**
 * Builds the purl of an OS package, e.g.
 * `pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12`. Returns undefined for a
 * database type without a purl type.
 */
export function packageURL(type: string, pkg: Package, os: OSInfo | undefined): string | undefined {
  const purlType = PURL_TYPES[type];
  if (purlType === undefined) return undefined;

  // The namespace is the vendor: the OS family, or the database type when the OS is unknown.
  const namespace = os?.family ?? (type === 'apk' ? 'alpine' : 'debian');
  const qualifiers: Record<string, string> = {};
  if (pkg.arch !== undefined && pkg.arch !== '') qualifiers.arch = pkg.arch;

  // Debian versions may carry an epoch (`1:2.3-4`); the deb purl moves it to a qualifier.
  let version = pkg.version;
  const epochMatch = purlType === 'deb' ? /^(\d+):(.*)$/.exec(version) : null;
  if (epochMatch !== null) {
    qualifiers.epoch = epochMatch[1] ?? '0';
    version = epochMatch[2] ?? version;
  }

  if (os !== undefined) {
    qualifiers.distro = purlType === 'apk' ? os.name : `${os.family}-${os.name}`;
  }

  const query = Object.keys(qualifiers)
    .sort()
    .map((key) => `${key}=${encodeComponent(qualifiers[key] ?? '')}`)
    .join('&');
  const base = `pkg:${purlType}/${encodeComponent(namespace)}/${encodeComponent(pkg.name)}@${encodeComponent(version)}`;
  return query === '' ? base : `${base}?${query}`;
}

/** Percent-encodes as the purl spec requires: `+` becomes `%2B`, `:` becomes `%3A`. */
function encodeComponent(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
