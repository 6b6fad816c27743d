/**
 * The facts the matcher needs about one distribution.
 *
 * @module
 */

import type { VersionScheme } from '../version/index.js';
import type { ImagePackage, OSInfo } from '../../types.js';

export interface DistroMatcher {
  /** OS family as the OS analyzer reports it, e.g. `alpine`. */
  readonly family: string;
  readonly scheme: VersionScheme;
  /** The `strata db build` source that provides this distro's advisories, for messages. */
  readonly feedHint: string;
  /** Package database types this distro's advisories apply to. */
  readonly packageTypes: readonly string[];
  /** Returns the advisory namespace of an OS release, or undefined when the release is not recognised. */
  namespace(os: OSInfo): string | undefined;
  /** Returns the package name that advisories use for this package. */
  advisoryName(pkg: ImagePackage): string;
  /** Returns the version compared against an advisory's fixed version. */
  installedVersion(pkg: ImagePackage): string;
}
