/**
 * Turns one NVD CVE API 2.0 `cve` object (`id`, `descriptions`, `metrics`, `references`,
 * `published`, `lastModified`) into VulnerabilityDetail.
 *
 * @module
 */

import { FeedError } from '../../errors.js';
import type { CvssScore, Severity, VulnerabilityDetail } from '../../types.js';
import { SEVERITIES } from '../../types.js';
import { describeValue, isObject } from './files.js';

const FEED = 'nvd';

/** Metric lists in the order their severity is preferred: CVSS v3.1, v3.0, v4.0, v2. */
const SEVERITY_ORDER = ['cvssMetricV31', 'cvssMetricV30', 'cvssMetricV40', 'cvssMetricV2'] as const;

/** Parses a `cve` object. `where` locates it in the file for error messages. */
export function parseNvdCve(cve: unknown, path: string, where: string): VulnerabilityDetail {
  if (!isObject(cve)) throw new FeedError(FEED, path, `${where}: expected a "cve" object, got ${describeValue(cve)}`);
  const id = cve['id'];
  if (typeof id !== 'string' || id === '') throw new FeedError(FEED, path, `${where}: "id" must be a non-empty string, got ${describeValue(id)}`);
  const at = `${where} (${id})`;

  const metrics = cve['metrics'] ?? {};
  if (!isObject(metrics)) throw new FeedError(FEED, path, `${at}: "metrics" must be an object, got ${describeValue(metrics)}`);
  const chosen = Object.fromEntries(SEVERITY_ORDER.map((name) => [name, chooseMetric(metrics[name], path, `${at} metrics.${name}`)]));

  const description = englishDescription(cve['descriptions'], path, at);
  const severity = firstSeverity(SEVERITY_ORDER.map((name) => chosen[name]));
  const score = cvssScore(chosen['cvssMetricV31'] ?? chosen['cvssMetricV30'], chosen['cvssMetricV40'], chosen['cvssMetricV2']);
  const published = isoTimestamp(cve['published'], path, `${at} published`);
  const lastModified = isoTimestamp(cve['lastModified'], path, `${at} lastModified`);

  return {
    id,
    ...(description === undefined ? {} : { description }),
    ...(severity === undefined ? {} : { severity }),
    cvss: Object.keys(score).length === 0 ? {} : { nvd: score },
    references: referenceUrls(cve['references'], path, at),
    ...(published === undefined ? {} : { publishedDate: published }),
    ...(lastModified === undefined ? {} : { lastModifiedDate: lastModified }),
    source: FEED,
  };
}

/** One metric entry: `{ source, type, cvssData: { vectorString, baseScore, baseSeverity? }, baseSeverity? }`. */
interface Metric {
  readonly vector?: string;
  readonly score?: number;
  /** v3 and v4 carry it in cvssData, v2 beside cvssData. */
  readonly severity?: string;
}

/**
 * Picks NVD's own score (`type: "Primary"`) from a metric list. Where NVD has not scored the CVE,
 * the first entry is used, usually the CNA's (`Secondary`), so recent CVEs still get a score.
 */
function chooseMetric(list: unknown, path: string, where: string): Metric | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) throw new FeedError(FEED, path, `${where}: expected a list, got ${describeValue(list)}`);

  const entries = list.filter(isObject);
  const entry = entries.find((candidate) => candidate['type'] === 'Primary') ?? entries[0];
  if (entry === undefined) return undefined;
  const data = isObject(entry['cvssData']) ? entry['cvssData'] : {};

  const vector = data['vectorString'];
  const score = data['baseScore'];
  const severity = data['baseSeverity'] ?? entry['baseSeverity'];
  return {
    ...(typeof vector === 'string' ? { vector } : {}),
    ...(typeof score === 'number' ? { score } : {}),
    ...(typeof severity === 'string' ? { severity } : {}),
  };
}

/** Returns the first severity that is one of Strata's. CVSS `NONE` (score 0.0) is skipped. */
function firstSeverity(metrics: readonly (Metric | undefined)[]): Severity | undefined {
  for (const metric of metrics) {
    const severity = metric?.severity?.toUpperCase();
    if (severity !== undefined && (SEVERITIES as readonly string[]).includes(severity)) return severity as Severity;
  }
  return undefined;
}

function cvssScore(v3: Metric | undefined, v40: Metric | undefined, v2: Metric | undefined): CvssScore {
  return {
    ...(v2?.vector === undefined ? {} : { V2Vector: v2.vector }),
    ...(v2?.score === undefined ? {} : { V2Score: v2.score }),
    ...(v3?.vector === undefined ? {} : { V3Vector: v3.vector }),
    ...(v3?.score === undefined ? {} : { V3Score: v3.score }),
    ...(v40?.vector === undefined ? {} : { V40Vector: v40.vector }),
    ...(v40?.score === undefined ? {} : { V40Score: v40.score }),
  };
}

function englishDescription(descriptions: unknown, path: string, where: string): string | undefined {
  if (descriptions === undefined) return undefined;
  if (!Array.isArray(descriptions)) throw new FeedError(FEED, path, `${where}: "descriptions" must be a list, got ${describeValue(descriptions)}`);
  const english = descriptions.find((entry) => isObject(entry) && typeof entry['lang'] === 'string' && entry['lang'].toLowerCase() === 'en');
  const value = isObject(english) ? english['value'] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function referenceUrls(references: unknown, path: string, where: string): string[] {
  if (references === undefined) return [];
  if (!Array.isArray(references)) throw new FeedError(FEED, path, `${where}: "references" must be a list, got ${describeValue(references)}`);
  const urls = new Set<string>();
  for (const reference of references) {
    const url = isObject(reference) ? reference['url'] : undefined;
    if (typeof url === 'string' && url !== '') urls.add(url);
  }
  return [...urls];
}

/**
 * Returns an ISO 8601 timestamp in UTC. The API writes `2018-10-30T12:29:00.257` with no zone.
 * Its times are UTC, so `Z` is appended.
 */
export function isoTimestamp(value: unknown, path: string, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : '';
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  const time = Date.parse(withZone);
  if (Number.isNaN(time)) throw new FeedError(FEED, path, `${where}: invalid timestamp ${describeValue(value)}`);
  return new Date(time).toISOString();
}
