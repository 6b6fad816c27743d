/**
 * Choice of one image among the manifests of an index or the entries of `manifest.json`, by the
 * requested platform or else by the host's.
 *
 * @module
 */

import { ImageError, PlatformNotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Platform } from '../types.js';
import { formatPlatform, platformMatches, variantsEqual } from './platform.js';

export interface PlatformCandidate {
  /** Undefined when neither the index nor the config names a platform. */
  readonly platform?: Platform;
  /**
   * The image this candidate belongs to, e.g. a top-level entry of `index.json`. Candidates of one
   * group are platforms of one image; candidates of different groups are different images.
   */
  readonly group: string;
  /** Name for messages: a tag or a digest. */
  readonly label: string;
}

/**
 * Returns the candidate to scan. With a requested platform, that is the one matching it. Without
 * one, it is the one matching `host`, or else the only candidate.
 * Throws PlatformNotFoundError when nothing matches, and ImageError when different images match.
 */
export function selectCandidate<T extends PlatformCandidate>(
  candidates: readonly T[],
  options: { requested?: Platform; host: Platform; path: string; logger: Logger },
): T {
  const { requested, host, path, logger } = options;
  const available = [...new Set(candidates.flatMap((c) => (c.platform === undefined ? [] : [formatPlatform(c.platform)])))];

  if (requested !== undefined) {
    const matches = candidates.filter((c) => c.platform === undefined || platformMatches(requested, c.platform));
    if (matches.length === 0) throw new PlatformNotFoundError(formatPlatform(requested), available);
    const chosen = best(matches, requested, path);
    if (chosen.platform === undefined) {
      logger.warn('image names no platform; cannot check it against --platform', { image: chosen.label, requested: formatPlatform(requested) });
    }
    logger.debug('selected image by requested platform', { image: chosen.label, requested: formatPlatform(requested), available: available.join(',') });
    return chosen;
  }

  const hostMatches = candidates.filter((c) => c.platform !== undefined && platformMatches(host, c.platform));
  if (hostMatches.length > 0) {
    const chosen = best(hostMatches, host, path);
    logger.debug('selected image by host platform', { image: chosen.label, host: formatPlatform(host), available: available.join(',') });
    return chosen;
  }

  const [only] = candidates;
  if (only !== undefined && candidates.length === 1) {
    logger.debug('host platform not offered; selected the only image', {
      image: only.label,
      platform: only.platform === undefined ? undefined : formatPlatform(only.platform),
      host: formatPlatform(host),
    });
    return only;
  }

  throw new PlatformNotFoundError(formatPlatform(host), available);
}

/** Returns the match whose variant equals the target's, else the first. Throws when several images match. */
function best<T extends PlatformCandidate>(matches: readonly T[], target: Platform, path: string): T {
  const groups = [...new Map(matches.map((c) => [c.group, c.label])).values()];
  if (groups.length > 1) {
    throw new ImageError(
      `${path}: ${groups.length} different images match platform ${formatPlatform(target)} (${groups.join(', ')}); Strata scans one image, so save or copy only that image into the archive`,
      path,
    );
  }
  const exact = matches.find((c) => c.platform !== undefined && variantsEqual(c.platform, target));
  return exact ?? (matches[0] as T);
}
