/**
 * Reads the JSON export of the Debian security tracker (`/tracker/data/json`):
 * `{ sourcePackage: { id: { description, scope, releases: { codename: { status, fixed_version,
 * urgency, nodsa, nodsa_reason, repositories } } } } }`. IDs include `CVE-…`, `TEMP-…` and
 * `DSA-…`; all are kept. The namespace is `debian:<codename>`, e.g. `debian:bookworm`.
 *
 * @module
 */

import { FeedError } from '../../errors.js';
import type { Advisory, Severity, VulnerabilityStatus } from '../../types.js';
import type { FeedReader } from './feed.js';
import { describeValue, isObject, openFeedRoot } from './files.js';
import { readJsonMembers } from './json-members.js';

const FEED = 'debian-tracker';

export const readDebianTracker: FeedReader = async function* (path, logger) {
  const root = await openFeedRoot(FEED, path);
  if (!root.stats.isFile()) {
    throw new FeedError(FEED, path, 'not a file; pass the JSON export of the tracker (tracker/data/json)');
  }

  const described = new Set<string>();
  const skipped = new Map<string, number>();
  let advisories = 0;
  for await (const { key: packageName, value } of readJsonMembers(root, path)) {
    if (!isObject(value)) throw new FeedError(FEED, path, `package "${packageName}": expected an object keyed by vulnerability ID, got ${describeValue(value)}`);

    for (const [id, entry] of Object.entries(value)) {
      const where = `package "${packageName}" ${id}`;
      if (!isObject(entry)) throw new FeedError(FEED, path, `${where}: expected an object, got ${describeValue(entry)}`);

      const description = entry['description'];
      if (typeof description === 'string' && description !== '' && !described.has(id)) {
        described.add(id);
        yield { type: 'detail', detail: { id, description, cvss: {}, references: [], source: FEED } };
      }

      for (const [codename, release] of releasesOf(entry['releases'], path, where)) {
        const mapped = mapRelease(release, path, `${where} ${codename}`);
        if ('skip' in mapped) {
          skipped.set(mapped.skip, (skipped.get(mapped.skip) ?? 0) + 1);
          if (mapped.skip.startsWith('unknown status')) logger.debug('debian release skipped', { package: packageName, vulnerability: id, codename, reason: mapped.skip });
          continue;
        }

        advisories += 1;
        const advisory: Advisory = { vulnerabilityID: id, source: FEED, namespace: `debian:${codename}`, packageName, ...mapped };
        yield { type: 'advisory', advisory };
      }
    }
  }

  logger.debug('debian tracker read', { path, advisories, details: described.size, ...Object.fromEntries(skipped) });
  for (const [reason, count] of skipped) {
    if (reason.startsWith('unknown status')) logger.warn('debian tracker releases skipped', { path, reason, count });
  }
  return { feedDate: root.stats.mtime, filesRead: 1 };
};

/** Returns the releases of one entry. The export writes an empty map as `[]`. */
function releasesOf(releases: unknown, path: string, where: string): [string, Record<string, unknown>][] {
  if (releases === undefined || (Array.isArray(releases) && releases.length === 0)) return [];
  if (!isObject(releases)) throw new FeedError(FEED, path, `${where}: "releases" must be an object, got ${describeValue(releases)}`);

  return Object.entries(releases).map(([codename, release]) => {
    if (!isObject(release)) throw new FeedError(FEED, path, `${where} ${codename}: expected an object, got ${describeValue(release)}`);
    return [codename, release];
  });
}

type MappedRelease =
  | { status: VulnerabilityStatus; fixedVersion?: string; vendorSeverity?: Severity }
  | { skip: string };

/**
 * Maps one release entry to the advisory fields, or to a reason for recording nothing:
 *
 * - resolved with fixed_version `0`: the release never shipped an affected version, so no row;
 * - resolved with a version: `fixed` at that version;
 * - open: `end_of_life` when the urgency is `end-of-life` (the release gets no more security
 *   updates), `fix_deferred` when nodsa_reason is `postponed`, `will_not_fix` when it is
 *   `ignored`, otherwise `affected`;
 * - undetermined: `affected`, because the release has not been shown to be unaffected.
 */
export function mapRelease(release: Record<string, unknown>, path: string, where: string): MappedRelease {
  const status = stringField(release, 'status', path, where);
  const fixedVersion = stringField(release, 'fixed_version', path, where);
  const urgency = stringField(release, 'urgency', path, where);
  const nodsaReason = stringField(release, 'nodsa_reason', path, where);
  const vendorSeverity = urgency === undefined ? undefined : urgencySeverity(urgency);
  const severity = vendorSeverity === undefined ? {} : { vendorSeverity };

  switch (status) {
    case 'resolved':
      if (fixedVersion === '0') return { skip: 'not affected' };
      // A resolved entry that names no fixed version cannot clear any installed version, so it is
      // kept as affected rather than dropped.
      if (fixedVersion === undefined || fixedVersion === '') return { status: 'affected', ...severity };
      return { status: 'fixed', fixedVersion, ...severity };
    case 'open':
      if (urgency === 'end-of-life') return { status: 'end_of_life', ...severity };
      if (nodsaReason === 'postponed') return { status: 'fix_deferred', ...severity };
      if (nodsaReason === 'ignored') return { status: 'will_not_fix', ...severity };
      return { status: 'affected', ...severity };
    case 'undetermined':
      return { status: 'affected', ...severity };
    default:
      return { skip: `unknown status ${JSON.stringify(status ?? null)}` };
  }
}

/**
 * Maps a tracker urgency to a severity. The tracker appends `*` or `**` to some urgencies, e.g.
 * `high**`, and the level is the word before them.
 */
export function urgencySeverity(urgency: string): Severity {
  switch (urgency.replace(/\*+$/, '')) {
    case 'unimportant':
    case 'low':
      return 'LOW';
    case 'medium':
      return 'MEDIUM';
    case 'high':
      return 'HIGH';
    default:
      // `not yet assigned`, `end-of-life` and anything new.
      return 'UNKNOWN';
  }
}

function stringField(record: Record<string, unknown>, field: string, path: string, where: string): string | undefined {
  const value = record[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new FeedError(FEED, path, `${where}: "${field}" must be a string, got ${describeValue(value)}`);
  return value;
}
