/**
 * Platforms as `--platform` spells them (`os/arch[/variant]`) and the matching rules used to pick
 * one image from an index.
 *
 * @module
 */

import { arch, endianness, platform as nodePlatform } from 'node:os';

import { StrataError } from '../errors.js';
import type { Platform } from '../types.js';

const PART = /^[a-z0-9][a-z0-9._-]*$/;

/** Architecture names that other tools print, mapped to the names OCI indexes use. */
const ARCH_ALIASES: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  aarch64: 'arm64',
  i386: '386',
  i686: '386',
};

/**
 * Parses `os/arch[/variant]`, e.g. `linux/arm64/v8`, lower-casing it and mapping `x86_64` to
 * `amd64` and `aarch64` to `arm64`. Throws INVALID_ARGUMENT on any other form.
 */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split('/');
  const valid = parts.length >= 2 && parts.length <= 3 && parts.every((part) => PART.test(part));
  if (!valid) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `invalid platform "${text}": expected os/arch or os/arch/variant, e.g. linux/amd64 or linux/arm64/v8`,
    );
  }

  const [os = '', architecture = '', variant] = parts;
  const normalized = ARCH_ALIASES[architecture] ?? architecture;
  return variant === undefined ? { os, architecture: normalized } : { os, architecture: normalized, variant };
}

/**
 * Returns the platform whose images run on this host without emulation. Every host except Windows
 * maps to `linux`, because container engines on macOS and the BSDs run Linux images in a VM.
 */
export function hostPlatform(): Platform {
  const os = nodePlatform() === 'win32' ? 'windows' : 'linux';
  switch (arch()) {
    case 'x64':
      return { os, architecture: 'amd64' };
    case 'arm64':
      return { os, architecture: 'arm64', variant: 'v8' };
    case 'arm':
      return { os, architecture: 'arm', variant: armVariant() };
    case 'ia32':
      return { os, architecture: '386' };
    case 'ppc64':
      return { os, architecture: endianness() === 'LE' ? 'ppc64le' : 'ppc64' };
    default:
      return { os, architecture: arch() };
  }
}

function armVariant(): string {
  const version = (process.config.variables as Record<string, unknown>)['arm_version'];
  return typeof version === 'string' || typeof version === 'number' ? `v${version}` : 'v7';
}

/** Formats a platform as `os/arch[/variant]`. */
export function formatPlatform(platform: Platform): string {
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant === undefined || platform.variant === '' ? base : `${base}/${platform.variant}`;
}

/** Returns the variant with the default that OCI implies when it is absent: `v8` for arm64. */
function effectiveVariant(platform: Platform): string | undefined {
  if (platform.variant !== undefined && platform.variant !== '') return platform.variant;
  return platform.architecture === 'arm64' ? 'v8' : undefined;
}

/**
 * Returns true when an image built for `candidate` satisfies a request for `requested`. OS and
 * architecture must be equal. A variant missing on either side matches any variant, except that
 * arm64 without a variant means `v8`.
 */
export function platformMatches(requested: Platform, candidate: Platform): boolean {
  if (requested.os !== candidate.os || requested.architecture !== candidate.architecture) return false;
  const requestedVariant = effectiveVariant(requested);
  const candidateVariant = effectiveVariant(candidate);
  return requestedVariant === undefined || candidateVariant === undefined || requestedVariant === candidateVariant;
}

/** Returns true when the variants are equal after defaults, so an exact match can win over a wildcard one. */
export function variantsEqual(a: Platform, b: Platform): boolean {
  return effectiveVariant(a) === effectiveVariant(b);
}

/** Returns true for the `unknown/unknown` platform that BuildKit gives attestation manifests. */
export function isUnknownPlatform(platform: Platform): boolean {
  return platform.os === 'unknown' && platform.architecture === 'unknown';
}
