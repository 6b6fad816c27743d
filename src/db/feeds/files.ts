/**
 * File access shared by the feed readers. Every failure becomes a FeedError that names the feed
 * and the file.
 *
 * @module
 */

import type { Dirent, Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { errorMessage, FeedError } from '../../errors.js';

/** Returns the stats of a feed path, or throws FeedError when it does not exist. */
export async function statFeedPath(feed: string, path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (error) {
    throw new FeedError(feed, path, `cannot read it (${errorMessage(error)}); check the --source ${feed}=${path} value`, { cause: error });
  }
}

/** A directory entry, with symbolic links resolved to what they point to. */
export interface DirectoryEntry {
  readonly name: string;
  readonly path: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}

/** Returns the entries of a directory sorted by name, so builds are reproducible. */
export async function listDirectory(feed: string, path: string): Promise<DirectoryEntry[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (error) {
    throw new FeedError(feed, path, `cannot list the directory (${errorMessage(error)})`, { cause: error });
  }

  const sorted = entries.sort(compareNames);
  return Promise.all(sorted.map((entry) => describeEntry(feed, path, entry)));
}

/** Orders by code unit, not locale, so every machine lists files in the same order. */
function compareNames(a: Dirent, b: Dirent): number {
  if (a.name < b.name) return -1;
  if (a.name > b.name) return 1;
  return 0;
}

async function describeEntry(feed: string, dir: string, entry: Dirent): Promise<DirectoryEntry> {
  const path = join(dir, entry.name);
  if (!entry.isSymbolicLink()) return { name: entry.name, path, isFile: entry.isFile(), isDirectory: entry.isDirectory() };

  const target = await statFeedPath(feed, path);
  return { name: entry.name, path, isFile: target.isFile(), isDirectory: target.isDirectory() };
}

/** A parsed feed file with its modification time, which dates feeds that carry no date. */
export interface FeedFile {
  readonly data: unknown;
  readonly modified: Date;
}

/** Reads and parses a JSON file. */
export async function readJsonFile(feed: string, path: string): Promise<FeedFile> {
  const { text, modified } = await readText(feed, path);
  try {
    return { data: JSON.parse(text) as unknown, modified };
  } catch (error) {
    throw new FeedError(feed, path, `invalid JSON: ${errorMessage(error)}`, { cause: error });
  }
}

/**
 * Reads and parses a YAML file with the failsafe schema, which keeps every scalar a string. With
 * the default schema a version key such as `1.10` would become the number 1.1.
 */
export async function readYamlFile(feed: string, path: string): Promise<FeedFile> {
  const { text, modified } = await readText(feed, path);
  try {
    return { data: parseYaml(text, { schema: 'failsafe' }) as unknown, modified };
  } catch (error) {
    throw new FeedError(feed, path, `invalid YAML: ${errorMessage(error)}`, { cause: error });
  }
}

async function readText(feed: string, path: string): Promise<{ text: string; modified: Date }> {
  try {
    const [text, stats] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, modified: stats.mtime };
  } catch (error) {
    throw new FeedError(feed, path, `cannot read the file (${errorMessage(error)})`, { cause: error });
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
