/**
 * File access shared by the feed readers. Every failure becomes a FeedError that names the feed
 * and the file. Readers open only regular files that resolve to a path inside the `--source` path.
 *
 * @module
 */

import { constants, type Dirent, type Stats } from 'node:fs';
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { errorMessage, FeedError } from '../../errors.js';
import { describeJsonError, describeYamlError } from './syntax-errors.js';

/** Returns the stats of a feed path, or throws FeedError when it does not exist. */
export async function statFeedPath(feed: string, path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    throw new FeedError(feed, path, `cannot read it (${errorMessage(error)}); check the --source ${feed}=${path} value`, { cause: error });
  }
}

/**
 * The `--source` path of one feed. Every file a reader opens must resolve, after symbolic links,
 * to this path or to a path under it.
 */
export interface FeedRoot {
  readonly feed: string;
  /** The path as given, for messages. */
  readonly path: string;
  /** `path` with every symbolic link resolved. */
  readonly realPath: string;
  /** Stats of the file or directory that `path` resolves to. */
  readonly stats: Stats;
}

/** Resolves the `--source` path of a feed, or throws FeedError when it does not exist. */
export async function openFeedRoot(feed: string, path: string): Promise<FeedRoot> {
  const stats = await statFeedPath(feed, path);
  try {
    return { feed, path, realPath: await realpath(path), stats };
  } catch (error) {
    throw new FeedError(feed, path, `cannot read it (${errorMessage(error)}); check the --source ${feed}=${path} value`, { cause: error });
  }
}

/** Returns the real path of `path`, or throws FeedError when it resolves outside the source. */
async function resolveInside(root: FeedRoot, path: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    throw new FeedError(root.feed, path, `cannot read the file (${errorMessage(error)})`, { cause: error });
  }
  const prefix = root.realPath.endsWith(sep) ? root.realPath : `${root.realPath}${sep}`;
  if (real !== root.realPath && !real.startsWith(prefix)) {
    throw new FeedError(root.feed, path, `links to ${real}, which is outside the --source path ${root.path}; copy the file into the feed directory instead of linking to it`);
  }
  return real;
}

/** A directory entry, with symbolic links resolved to what they point to. */
export interface DirectoryEntry {
  readonly name: string;
  readonly path: string;
  /** True for regular files only, so FIFOs and devices are never opened. */
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}

/**
 * Returns the entries of a directory of the source sorted by name, so builds are reproducible.
 * Throws FeedError for a symbolic link that resolves outside the source.
 */
export async function listDirectory(root: FeedRoot, path: string): Promise<DirectoryEntry[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (error) {
    throw new FeedError(root.feed, path, `cannot list the directory (${errorMessage(error)})`, { cause: error });
  }

  const sorted = entries.sort(compareNames);
  return Promise.all(sorted.map((entry) => describeEntry(root, path, entry)));
}

/** Orders by code unit, not locale, so every machine lists files in the same order. */
function compareNames(a: Dirent, b: Dirent): number {
  if (a.name < b.name) return -1;
  if (a.name > b.name) return 1;
  return 0;
}

async function describeEntry(root: FeedRoot, dir: string, entry: Dirent): Promise<DirectoryEntry> {
  const path = join(dir, entry.name);
  if (!entry.isSymbolicLink()) return { name: entry.name, path, isFile: entry.isFile(), isDirectory: entry.isDirectory() };

  const target = await statFeedPath(root.feed, await resolveInside(root, path));
  return { name: entry.name, path, isFile: target.isFile(), isDirectory: target.isDirectory() };
}

/**
 * Opens a regular file of the source for reading, or throws FeedError when it resolves outside
 * the source or is not a regular file. FIFOs and devices are rejected before they are opened, so
 * a FIFO cannot block the build.
 */
export async function openFeedFile(root: FeedRoot, path: string): Promise<{ handle: FileHandle; stats: Stats }> {
  const real = await resolveInside(root, path);
  const before = await statFeedPath(root.feed, real);
  if (!before.isFile()) throw new FeedError(root.feed, path, `not a regular file (${fileType(before)}); pass a file or a directory of files`);

  let handle: FileHandle;
  try {
    // O_NONBLOCK makes open return at once should a FIFO replace the file after the check, and
    // O_NOFOLLOW fails should a symbolic link replace it. Both are 0 where the platform lacks them.
    handle = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    throw new FeedError(root.feed, path, `cannot read the file (${errorMessage(error)})`, { cause: error });
  }

  const stats = await handle.stat();
  if (!stats.isFile() || stats.ino !== before.ino || stats.dev !== before.dev) {
    await handle.close();
    throw new FeedError(root.feed, path, 'the file changed while it was opened; run the build again once the feed directory is stable');
  }
  return { handle, stats };
}

function fileType(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A parsed feed file with its modification time, which dates feeds that carry no date. */
export interface FeedFile {
  readonly data: unknown;
  readonly modified: Date;
}

/** Reads and parses a JSON file of the source. Parse errors give the line and column, not the text. */
export async function readJsonFile(root: FeedRoot, path: string): Promise<FeedFile> {
  const { text, modified } = await readText(root, path);
  try {
    return { data: JSON.parse(text) as unknown, modified };
  } catch (error) {
    throw new FeedError(root.feed, path, describeJsonError(text, error), { cause: error });
  }
}

/**
 * Reads and parses a YAML file of the source with the failsafe schema, which keeps every scalar a
 * string. With the default schema a version key such as `1.10` would become the number 1.1.
 */
export async function readYamlFile(root: FeedRoot, path: string): Promise<FeedFile> {
  const { text, modified } = await readText(root, path);
  try {
    return { data: parseYaml(text, { schema: 'failsafe' }) as unknown, modified };
  } catch (error) {
    throw new FeedError(root.feed, path, describeYamlError(error), { cause: error });
  }
}

async function readText(root: FeedRoot, path: string): Promise<{ text: string; modified: Date }> {
  const { handle, stats } = await openFeedFile(root, path);
  try {
    return { text: await handle.readFile('utf8'), modified: stats.mtime };
  } catch (error) {
    throw new FeedError(root.feed, path, `cannot read the file (${errorMessage(error)})`, { cause: error });
  } finally {
    await handle.close();
  }
}

/** Returns true for a plain JSON object (not an array or null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Describes a value of the wrong type for an error message, e.g. `a list` or `number 3`. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
