/**
 * OS detection on the merged image filesystem, from the release files that the `os` analyzer
 * collected.
 *
 * @module
 */

import type { OSInfo } from '../../types.js';
import {
  DEBIAN_CODENAMES,
  debianVersionOf,
  parseAlpineRelease,
  parseDebianVersion,
  parseLsbRelease,
  parseOSRelease,
  type ReleaseFacts,
} from './release-files.js';

type ReleaseParser = (content: string) => ReleaseFacts | null;

/**
 * Release files by precedence. The first file that names a distribution decides the family. The
 * later files of the same family only fill fields still missing, e.g. the codename that a
 * distroless `/etc/os-release` omits, or the release of Debian testing from `debian_version`.
 * Files of another family are ignored, such as the `debian_version` that Ubuntu also ships.
 */
const RELEASE_PARSERS: readonly (readonly [path: string, parse: ReleaseParser])[] = [
  ['etc/os-release', parseOSRelease],
  ['usr/lib/os-release', parseOSRelease],
  ['etc/lsb-release', parseLsbRelease],
  ['etc/alpine-release', parseAlpineRelease],
  ['etc/debian_version', parseDebianVersion],
];

/**
 * Returns the OS of an image from its release files, keyed by path without a leading slash, or
 * null when no file names a distribution and its release.
 */
export function detectOS(files: Readonly<Record<string, string>>): OSInfo | null {
  let found: ReleaseFacts | undefined;
  for (const [path, parse] of RELEASE_PARSERS) {
    const content = files[path];
    if (content === undefined) continue;
    const facts = parse(content);
    if (facts === null) continue;
    if (found === undefined) found = facts;
    else if (facts.family === found.family) found = { ...facts, ...found };
  }
  if (found === undefined) return null;

  const { family, prettyName } = found;
  let { name, codename } = found;
  if (family === 'debian') {
    name ??= codename === undefined ? undefined : debianVersionOf(codename);
    codename ??= name === undefined ? undefined : DEBIAN_CODENAMES[name];
  }
  if (name === undefined) return null;
  return {
    family,
    name,
    ...(codename === undefined ? {} : { codename }),
    ...(prettyName === undefined ? {} : { prettyName }),
  };
}
