/**
 * Parsers of single OS release files. Each returns the facts its file states, or null when the
 * file states no distribution; `detectOS` combines them.
 *
 * @module
 */

/** Facts that one release file states. Every field except `family` may be missing. */
export interface ReleaseFacts {
  readonly family: string;
  readonly name?: string;
  readonly codename?: string;
  readonly prettyName?: string;
}

/** Debian codenames by major release, from 6 (squeeze) to the announced 15 (duke). */
export const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  '6': 'squeeze',
  '7': 'wheezy',
  '8': 'jessie',
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
  '15': 'duke',
};

/** Returns the Debian major version of a codename, e.g. `bookworm` → `12`. */
export function debianVersionOf(codename: string): string | undefined {
  return Object.keys(DEBIAN_CODENAMES).find((version) => DEBIAN_CODENAMES[version] === codename);
}

/**
 * Parses the shell-style `KEY=value` lines of os-release(5) and lsb-release: values may be single-
 * or double-quoted, and `#` starts a comment line.
 */
export function parseKeyValues(content: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const rawLine of content.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match === null) continue;
    values.set(match[1] as string, unquote(match[2] as string));
  }
  return values;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
    const inner = value.slice(1, -1);
    // Inside double quotes os-release(5) allows the shell escapes \" \\ \$ and \`.
    return quote === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return value;
}

/** Returns the value of `key`, or undefined when it is missing or empty, so `VERSION_CODENAME=""` counts as missing. */
function nonEmpty(values: Map<string, string>, key: string): string | undefined {
  const value = values.get(key);
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Parses os-release(5). The family is the `ID`, which for Alpine, Debian and Ubuntu equals Trivy's
 * family name. Distroless images keep `ID=debian` and change only `PRETTY_NAME`.
 * NOTE: other IDs differ from Trivy's family names, e.g. `rhel` (Trivy: `redhat`) or `amzn`
 * (`amazon`), so a consumer that expects Trivy's names must map them.
 */
export function parseOSRelease(content: string): ReleaseFacts | null {
  const values = parseKeyValues(content);
  const id = nonEmpty(values, 'ID')?.toLowerCase();
  if (id === undefined) return null;

  // Old Debian releases and distroless images state the codename only in VERSION, e.g.
  // `8 (jessie)` or `Debian GNU/Linux 11 (bullseye)`.
  const versionCodename = id === 'debian' ? /\(([a-z]+)\)/i.exec(values.get('VERSION') ?? '')?.[1]?.toLowerCase() : undefined;
  const codename = nonEmpty(values, 'VERSION_CODENAME') ?? nonEmpty(values, 'UBUNTU_CODENAME') ?? versionCodename;
  return facts(id, nonEmpty(values, 'VERSION_ID'), codename, nonEmpty(values, 'PRETTY_NAME'));
}

/** Parses `/etc/lsb-release`, the release file of old Ubuntu images without os-release, such as 10.04. */
export function parseLsbRelease(content: string): ReleaseFacts | null {
  const values = parseKeyValues(content);
  const id = nonEmpty(values, 'DISTRIB_ID')?.toLowerCase();
  if (id === undefined) return null;
  return facts(id, nonEmpty(values, 'DISTRIB_RELEASE'), nonEmpty(values, 'DISTRIB_CODENAME'), nonEmpty(values, 'DISTRIB_DESCRIPTION'));
}

/** Parses `/etc/alpine-release`, one line with the full release, e.g. `3.10.4`. */
export function parseAlpineRelease(content: string): ReleaseFacts | null {
  const release = firstLine(content);
  return release === '' ? null : facts('alpine', release, undefined, undefined);
}

/**
 * Parses `/etc/debian_version`. A point release such as `12.5` is reported as the major release
 * `12`, like os-release's VERSION_ID and unlike Trivy, which reports `12.5`, because Debian
 * advisories apply to a major release. Testing and unstable write `codename/sid`, e.g.
 * `trixie/sid`, reported as the codename's number where the table has it, else as the codename.
 */
export function parseDebianVersion(content: string): ReleaseFacts | null {
  const text = firstLine(content);
  if (text === '') return null;

  if (/^\d+(\.\d+)*$/.test(text)) {
    const major = text.split('.')[0] as string;
    return facts('debian', major, DEBIAN_CODENAMES[major], undefined);
  }
  const match = /^([a-z]+)(?:\/[a-z]+)?$/.exec(text);
  if (match === null) return null;
  const codename = match[1] as string;
  return facts('debian', debianVersionOf(codename) ?? codename, codename, undefined);
}

function firstLine(content: string): string {
  return (content.split('\n')[0] ?? '').trim();
}

function facts(family: string, name: string | undefined, codename: string | undefined, prettyName: string | undefined): ReleaseFacts {
  return {
    family,
    ...(name === undefined ? {} : { name }),
    ...(codename === undefined ? {} : { codename }),
    ...(prettyName === undefined ? {} : { prettyName }),
  };
}
