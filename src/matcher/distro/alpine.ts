/**
 * Alpine: advisories name the origin (source) package, as `apk` records it in `o:`, and the
 * secdb is split by release branch (`v3.10`), so the namespace drops the patch level.
 *
 * @module
 */

import type { DistroMatcher } from './distro.js';

export const alpine: DistroMatcher = {
  family: 'alpine',
  scheme: 'apk',
  feedHint: 'strata db build --source alpine-secdb=DIR (a copy of secdb.alpinelinux.org)',
  packageTypes: ['apk'],

  namespace(os) {
    // e.g. 3.10.4 => alpine:3.10; edge images report VERSION_ID such as 3.21.0_alpha20240807.
    const match = /^(\d+)\.(\d+)/.exec(os.name);
    return match === null ? undefined : `alpine:${match[1]}.${match[2]}`;
  },

  advisoryName: (pkg) => pkg.srcName,
  installedVersion: (pkg) => pkg.version,
};
