import { StrataError } from '../../errors.js';
import type { VersionScheme } from './index.js';

/** A version string that the named scheme cannot parse, e.g. a dpkg version with a non-numeric epoch. */
export class InvalidVersionError extends StrataError {
  readonly value: string;
  readonly scheme: VersionScheme;

  /** `reason` describes what is wrong with `value`; the message adds the value, the scheme and the expected form. */
  constructor(scheme: VersionScheme, value: string, reason: string) {
    super('INVALID_ARGUMENT', `invalid ${scheme} version ${JSON.stringify(value)}: ${reason}; ${EXPECTED_FORM[scheme]}`);
    this.value = value;
    this.scheme = scheme;
  }
}

const EXPECTED_FORM: Record<VersionScheme, string> = {
  dpkg: 'expected [epoch:]upstream_version[-debian_revision] as deb-version(7) describes',
  apk: 'expected digits{.digits}{letter}{_suffix{digits}}{-rN}',
};
