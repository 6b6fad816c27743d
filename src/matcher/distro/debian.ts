/**
 * Debian: the security tracker lists advisories by source package and release codename, and
 * fixed versions are source versions, so the comparison uses the source version. A binNMU
 * (`1.2-3+b1`) keeps the source version `1.2-3`.
 *
 * @module
 */

import { DEBIAN_CODENAMES } from '../../analyzer/os/release-files.js';
import type { DistroMatcher } from './distro.js';

export const debian: DistroMatcher = {
  family: 'debian',
  scheme: 'dpkg',
  feedHint: 'strata db build --source debian-tracker=FILE (the JSON of security-tracker.debian.org/tracker/data/json)',
  packageTypes: ['dpkg'],

  namespace(os) {
    const major = /^(\d+)/.exec(os.name)?.[1];
    const codename = os.codename ?? (major === undefined ? undefined : DEBIAN_CODENAMES[major]);
    return codename === undefined ? undefined : `debian:${codename}`;
  },

  advisoryName: (pkg) => pkg.srcName,
  installedVersion: (pkg) => pkg.srcVersion,
};
