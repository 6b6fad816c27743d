/**
 * Reads the Alpine security database (secdb): per release branch, the versions of each origin
 * package that fixed which vulnerabilities. Two directory layouts are accepted:
 *
 * - secdb.alpinelinux.org and the old alpine-secdb repository: `v3.10/main.json` (or
 *   `main.yaml`), each file listing `packages[].pkg.{name,secfixes}` of one repository;
 * - aquasecurity/vuln-list: `3.20/main/openssl.json`, one file per package with `name` and
 *   `secfixes` at the top level.
 *
 * The namespace is `alpine:3.10`, from the file's `distroversion` (`v3.10`) or else the folder name.
 * A `secfixes` key is the first version that fixes the listed IDs. The key `0` means the package
 * was never affected. The reader records nothing for it, so the matcher cannot report it.
 *
 * @module
 */

import { basename } from 'node:path';
import { FeedError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { compareVersions } from '../../matcher/version/index.js';
import type { Advisory } from '../../types.js';
import { parseSecfixEntry } from './alpine-secfix.js';
import { type FeedReader, laterDate } from './feed.js';
import { type DirectoryEntry, type FeedFile, type FeedRoot, listDirectory, openFeedRoot, readJsonFile, readYamlFile } from './files.js';
import { type SecdbPackage, parseSecdbFile } from './alpine-secdb-file.js';

const FEED = 'alpine-secdb';

const RELEASE_NAME = /^v?(\d+\.\d+|edge)$/;

export const readAlpineSecdb: FeedReader = async function* (sourcePath, logger) {
  const root = await openFeedRoot(FEED, sourcePath);
  if (!root.stats.isDirectory()) {
    throw new FeedError(FEED, sourcePath, 'not a directory; pass the folder that contains v3.20/ (secdb.alpinelinux.org) or 3.20/ (vuln-list)');
  }

  let feedDate: Date | undefined;
  let filesRead = 0;
  for (const release of await findReleases(root)) {
    const files = await listSecdbFiles(root, release.path);
    if (files.length === 0) logger.warn('alpine release folder has no secdb files', { path: release.path });

    const advisories = new ReleaseAdvisories(logger);
    for (const path of files) {
      const file = await readSecdbFile(root, path);
      feedDate = laterDate(feedDate, file.modified);
      filesRead += 1;

      const parsed = parseSecdbFile(file.data, path);
      const version = releaseVersion(parsed.distroversion) ?? release.version;
      if (parsed.distroversion !== undefined && releaseVersion(parsed.distroversion) === undefined) {
        logger.debug('alpine distroversion not recognised, using the folder name', { path, distroversion: parsed.distroversion, release: release.version });
      }
      for (const pkg of parsed.packages) advisories.add(`alpine:${version}`, pkg, path);
    }

    advisories.logSummary(release.path);
    for (const advisory of advisories.values()) yield { type: 'advisory', advisory };
  }

  return { feedDate, filesRead };
};

/** Returns the release folders under `root`, oldest first, or `root` itself when it is one. */
async function findReleases(root: FeedRoot): Promise<{ path: string; version: string }[]> {
  const found: { path: string; version: string }[] = [];
  for (const entry of await listDirectory(root, root.path)) {
    const version = releaseVersion(entry.name);
    if (entry.isDirectory && version !== undefined) found.push({ path: entry.path, version });
  }

  const rootVersion = releaseVersion(basename(root.path));
  if (found.length === 0 && rootVersion !== undefined) found.push({ path: root.path, version: rootVersion });
  if (found.length === 0) {
    throw new FeedError(FEED, root.path, 'no release folders such as v3.20/ or 3.20/ found; pass the root of a secdb mirror or of vuln-list/alpine');
  }
  return found.sort((a, b) => compareReleases(a.version, b.version));
}

/** Returns `3.10` for `v3.10` or `3.10`, `edge` for `edge`, and undefined for anything else. */
function releaseVersion(name: string | undefined): string | undefined {
  return name === undefined ? undefined : RELEASE_NAME.exec(name)?.[1];
}

function compareReleases(a: string, b: string): number {
  const rank = (version: string): number[] => (version === 'edge' ? [Infinity, 0] : version.split('.').map(Number));
  const [aMajor = 0, aMinor = 0] = rank(a);
  const [bMajor = 0, bMinor = 0] = rank(b);
  return aMajor - bMajor || aMinor - bMinor;
}

/**
 * Lists the secdb files of a release folder: repository files (`main.json`) at its top and
 * per-package files one level down (`main/openssl.json`). A `.yaml` or `.yml` file is read only
 * when no `.json` file has the same name, because secdb publishes both with the same records.
 */
async function listSecdbFiles(root: FeedRoot, releasePath: string): Promise<string[]> {
  const entries = await listDirectory(root, releasePath);
  const files = pickFeedFiles(entries);
  for (const entry of entries) {
    if (entry.isDirectory) files.push(...pickFeedFiles(await listDirectory(root, entry.path)));
  }
  return files;
}

function pickFeedFiles(entries: readonly DirectoryEntry[]): string[] {
  const files = entries.filter((entry) => entry.isFile);
  const jsonStems = new Set(files.filter((file) => file.name.endsWith('.json')).map((file) => file.name.slice(0, -'.json'.length)));
  return files
    .filter((file) => {
      if (file.name.endsWith('.json')) return true;
      const yamlStem = /^(.*)\.ya?ml$/.exec(file.name)?.[1];
      return yamlStem !== undefined && !jsonStems.has(yamlStem);
    })
    .map((file) => file.path);
}

function readSecdbFile(root: FeedRoot, path: string): Promise<FeedFile> {
  return path.endsWith('.json') ? readJsonFile(root, path) : readYamlFile(root, path);
}

/**
 * The advisories of one release, one per namespace, package and ID. An ID listed under two fixed
 * versions (e.g. busybox CVE-2019-5747 in 3.10, under both 1.29.3-r10 and 1.30.1-r2) keeps the
 * higher one. The branch moved to a new upstream version that needed the fix again, and the higher
 * version reports every installed version the lower one reports, so no finding is hidden.
 */
class ReleaseAdvisories {
  readonly #logger: Logger;
  readonly #byKey = new Map<string, Advisory>();
  #duplicates = 0;
  #notAffected = 0;
  #withoutId = 0;
  #unfixed = 0;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  add(namespace: string, pkg: SecdbPackage, path: string): void {
    for (const [fixedVersion, entries] of pkg.secfixes) {
      for (const entry of entries) this.#addEntry(namespace, pkg.name, fixedVersion, entry, path);
    }
  }

  #addEntry(namespace: string, packageName: string, fixedVersion: string, entry: string, path: string): void {
    const parsed = parseSecfixEntry(entry);
    if (parsed.ids.length === 0) {
      this.#withoutId += 1;
      this.#logger.debug('alpine secfix entry names no vulnerability ID, skipped', { path, package: packageName, fixedVersion, entry });
      return;
    }
    if (parsed.unfixed) {
      // NOTE: no such entry occurs in the 3.3 to 3.20 data, so this branch has not met a real file.
      // The flaw is recorded as open, so every installed version is reported, never hidden.
      this.#unfixed += 1;
      this.#logger.debug('alpine secfix entry marked unfixed, recorded as affected', { path, package: packageName, fixedVersion, entry });
      for (const id of parsed.ids) this.#byKey.set(`${namespace}\0${packageName}\0${id}`, { vulnerabilityID: id, source: FEED, namespace, packageName, status: 'affected' });
      return;
    }
    if (fixedVersion === '0') {
      this.#notAffected += parsed.ids.length;
      this.#logger.debug('alpine package not affected, no advisory recorded', { namespace, package: packageName, entry });
      return;
    }

    for (const id of parsed.ids) {
      this.#keepHighest({ vulnerabilityID: id, source: FEED, namespace, packageName, fixedVersion, status: 'fixed' });
    }
  }

  #keepHighest(advisory: Advisory & { fixedVersion: string }): void {
    const key = `${advisory.namespace}\0${advisory.packageName}\0${advisory.vulnerabilityID}`;
    const existing = this.#byKey.get(key);
    if (existing === undefined) {
      this.#byKey.set(key, advisory);
      return;
    }
    // An entry marked unfixed outranks any fixed version, so the flaw stays reported.
    if (existing.fixedVersion === undefined) return;

    this.#duplicates += 1;
    const keepNew = compareVersions('apk', advisory.fixedVersion, existing.fixedVersion) > 0;
    if (keepNew) this.#byKey.set(key, advisory);
    this.#logger.debug('alpine duplicate ID, kept the higher fixed version', {
      namespace: advisory.namespace,
      package: advisory.packageName,
      vulnerability: advisory.vulnerabilityID,
      keptVersion: keepNew ? advisory.fixedVersion : existing.fixedVersion,
      droppedVersion: keepNew ? existing.fixedVersion : advisory.fixedVersion,
    });
  }

  logSummary(path: string): void {
    if (this.#withoutId > 0) {
      this.#logger.warn('alpine secfix entries that name no vulnerability ID were skipped', { path, entries: this.#withoutId });
    }
    this.#logger.debug('alpine release read', {
      path,
      advisories: this.#byKey.size,
      duplicates: this.#duplicates,
      notAffected: this.#notAffected,
      withoutId: this.#withoutId,
      unfixed: this.#unfixed,
    });
  }

  values(): IterableIterator<Advisory> {
    return this.#byKey.values();
  }
}
