/**
 * Reads NVD CVE API 2.0 data: a directory tree of JSON files (searched recursively) or one file.
 * A file contains one of:
 *
 * - an API response, `{ "vulnerabilities": [{ "cve": {...} }], ... }`;
 * - one wrapped record, `{ "cve": {...} }`;
 * - one bare `cve` object, `{ "id": "CVE-…", ... }`, as aquasecurity/vuln-list-nvd stores them.
 *
 * Every record is stored, including CVEs that no distro feed of the build names: the distro feeds
 * decide what matches, and NVD only adds descriptions and scores. The feed date is the newest
 * `lastModified` of the records.
 *
 * @module
 */

import { FeedError } from '../../errors.js';
import type { FeedReader } from './feed.js';
import { laterDate } from './feed.js';
import { describeValue, type FeedRoot, isObject, listDirectory, openFeedRoot, readJsonFile } from './files.js';
import { parseNvdCve } from './nvd-record.js';

const FEED = 'nvd';

export const readNvd: FeedReader = async function* (path, logger) {
  const root = await openFeedRoot(FEED, path);
  const files = root.stats.isDirectory() ? await findJsonFiles(root, path) : [path];
  if (files.length === 0) throw new FeedError(FEED, path, 'no .json files found; pass a folder of NVD CVE API 2.0 records');

  let newestModified: Date | undefined;
  let newestRecord: Date | undefined;
  let records = 0;
  for (const file of files) {
    // NOTE: each file is parsed whole. An API response page contains at most 2,000 records (the API's
    // maximum resultsPerPage), tens of MB. A larger merged file would need a streaming parser.
    const { data, modified } = await readJsonFile(root, file);
    newestModified = laterDate(newestModified, modified);

    for (const { cve, where } of cveObjects(data, file)) {
      const detail = parseNvdCve(cve, file, where);
      records += 1;
      if (detail.lastModifiedDate !== undefined) newestRecord = laterDate(newestRecord, new Date(detail.lastModifiedDate));
      yield { type: 'detail', detail };
    }
  }

  logger.debug('nvd records read', { path, files: files.length, records });
  return { feedDate: newestRecord ?? newestModified, filesRead: files.length };
};

/** Returns the `.json` files under `dir`, depth first in name order. */
async function findJsonFiles(root: FeedRoot, dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await listDirectory(root, dir)) {
    if (entry.isDirectory) files.push(...(await findJsonFiles(root, entry.path)));
    else if (entry.isFile && entry.name.endsWith('.json')) files.push(entry.path);
  }
  return files;
}

function cveObjects(data: unknown, path: string): { cve: unknown; where: string }[] {
  if (!isObject(data)) throw new FeedError(FEED, path, `expected a JSON object, got ${describeValue(data)}`);

  const list = data['vulnerabilities'];
  if (list !== undefined) {
    if (!Array.isArray(list)) throw new FeedError(FEED, path, `"vulnerabilities" must be a list, got ${describeValue(list)}`);
    return list.map((item: unknown, index) => ({ cve: isObject(item) ? item['cve'] : item, where: `vulnerabilities[${index}].cve` }));
  }
  if ('cve' in data) return [{ cve: data['cve'], where: 'cve' }];
  if (typeof data['id'] === 'string') return [{ cve: data, where: 'top level' }];

  if ('CVE_Items' in data) {
    throw new FeedError(FEED, path, 'this is the retired NVD 1.1 data feed format; download CVE API 2.0 records instead');
  }
  throw new FeedError(FEED, path, 'no "vulnerabilities", "cve" or "id" found; expected an NVD CVE API 2.0 response or record');
}
