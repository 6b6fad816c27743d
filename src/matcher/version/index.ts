/**
 * Version comparators for distribution package versions, one module per scheme.
 *
 * @module
 */

import { StrataError } from '../../errors.js';
import { compareApkVersions } from './apk.js';
import { compareDpkgVersions } from './dpkg.js';

export { compareApkVersions, isValidApkVersion } from './apk.js';
export { compareDpkgVersions, compareParsedDpkgVersions, parseDpkgVersion, type DpkgVersion } from './dpkg.js';
export { InvalidVersionError } from './errors.js';

/** Version ordering of a package ecosystem: `dpkg` for Debian and Ubuntu, `apk` for Alpine. */
export type VersionScheme = 'dpkg' | 'apk';

/**
 * Compares two versions of the same scheme and returns -1, 0 or 1. Throws InvalidVersionError
 * for an invalid dpkg version; apk versions never throw.
 */
export function compareVersions(scheme: VersionScheme, a: string, b: string): -1 | 0 | 1 {
  switch (scheme) {
    case 'dpkg':
      return compareDpkgVersions(a, b);
    case 'apk':
      return compareApkVersions(a, b);
    default: {
      // Reached only by callers that bypass the type, e.g. with a scheme read from a database row.
      const unknown: never = scheme;
      throw new StrataError('INVALID_ARGUMENT', `unknown version scheme ${JSON.stringify(unknown)}; expected dpkg or apk`);
    }
  }
}
