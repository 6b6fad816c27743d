/**
 * Debian: the security tracker lists advisories by source package and release codename, and
 * fixed versions are source versions, so the comparison uses the source version. A binNMU
 * (`1.2-3+b1`) keeps the source version `1.2-3`.
 *
 * @module
 */

import type { DistroMatcher } from './distro.js';

/** Release number → codename, for images whose os-release names no codename. */
const CODENAMES: Readonly<Record<string, string>> = {
  '7': 'wheezy',
  '8': 'jessie',
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
};

export const debian: DistroMatcher = {
  family: 'debian',
  scheme: 'dpkg',
  feedHint: 'strata db build --source debian-tracker=FILE (the JSON of security-tracker.debian.org/tracker/data/json)',
  packageTypes: ['dpkg'],

  namespace(os) {
    const major = /^(\d+)/.exec(os.name)?.[1];
    const codename = os.codename ?? (major === undefined ? undefined : CODENAMES[major]);
    return codename === undefined ? undefined : `debian:${codename}`;
  },

  advisoryName: (pkg) => pkg.srcName,
  installedVersion: (pkg) => pkg.srcVersion,
};
