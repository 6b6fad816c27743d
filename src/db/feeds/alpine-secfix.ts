/**
 * Reads the vulnerability IDs out of one Alpine secdb `secfixes` entry. Most entries are a bare
 * CVE ID, but the maintainers write free text too. The forms seen in the 3.3 to 3.20 data:
 *
 * - one ID: `CVE-2019-14697`, or an ID with no CVE: `XSA-207`, `ZBX-11023`, `ALPINE-13661`,
 *   `wnpa-sec-2017-18`;
 * - several IDs split by one or more spaces: `CVE-2016-6258 XSA-182`,
 *   `CVE-2017-12122 TALOS-2017-0488`, `CVE-2017-5753 CVE-2017-5715 CVE-2017-5754 XSA-254 XPTI`;
 * - an ID with a note: `CVE-2018-14881 (BGP)`, `CVE-2017-2616 (+ regression fix)`;
 * - a placeholder beside the real ID: `CVE-????-?????  XSA-284`;
 * - a patch number or file suffix: `CVE-2017-17434-1`, `CVE-2017-8073.patch`;
 * - a misspelt prefix: `CVE_2019-2426`, `CVE 2018-16859`;
 * - an empty string, or a YAML key with no list at all.
 *
 * @module
 */

/** IDs read from one secfixes entry. */
export interface SecfixIds {
  /** IDs to record as fixed. */
  readonly ids: readonly string[];
  /** Other IDs the entry gives for the same flaw, such as Xen, Talos or Zabbix numbers. They are not recorded. */
  readonly aliases: readonly string[];
  /** True when the entry marks the flaw as not fixed, e.g. `CVE-2018-1000500 (unfixed)`. */
  readonly unfixed: boolean;
}

// Accepts `CVE-`, `CVE_` and `CVE ` before the year. The sequence number has four or more digits,
// and a `-1` or `.patch` after it is not part of the ID.
const CVE_PATTERN = /\bCVE[-_ ]?(\d{4})-(\d{4,})/gi;

// Any other advisory ID: letters, then dash-separated parts of letters and digits with at least one
// digit, e.g. XSA-182, TALOS-2017-0488, wnpa-sec-2017-18 and GHSA IDs. Notes such as `XPTI` or
// `(BGP)` fail it.
const OTHER_ID_PATTERN = /^[A-Za-z]+(?:-[A-Za-z0-9]+)+$/;

/**
 * Splits a secfixes entry into IDs. When the entry names a CVE, the CVE IDs are the ones recorded
 * and the other IDs are aliases of them, so one flaw yields one finding. Without a CVE the other
 * IDs are recorded instead, because they are then the only name of a fixed flaw.
 */
export function parseSecfixEntry(entry: string): SecfixIds {
  const unfixed = /\bunfixed\b/i.test(entry);
  const cves = new Set<string>();
  for (const match of entry.matchAll(CVE_PATTERN)) {
    cves.add(`CVE-${match[1]}-${match[2]}`);
  }

  const others: string[] = [];
  for (const token of entry.split(/\s+/)) {
    if (/^CVE\b/i.test(token)) continue;
    if (OTHER_ID_PATTERN.test(token) && /\d/.test(token)) others.push(token);
  }

  if (cves.size > 0) return { ids: [...cves], aliases: others, unfixed };
  return { ids: others, aliases: [], unfixed };
}
