/**
 * Reads the size and file count of Debian packages (`.deb`) from their control archives, without
 * unpacking their data.
 *
 * @module
 */

import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { extract } from 'tar-stream';

import { mapWithLimit } from '../../../src/scan.js';
import { waitForExit } from '../process.js';

export interface DebPackage {
  readonly path: string;
  readonly name: string;
  /** `Installed-Size` of the control file, in bytes; dpkg rounds each file up to 1 KiB, so it is an estimate. */
  readonly installedBytes: number;
  /** Regular files the package ships, counted from its `md5sums` control member. */
  readonly files: number;
}

/** Lists the `.deb` files of `dir` in name order and reads each one's control data. */
export async function readDebPackages(dir: string, concurrency: number): Promise<DebPackage[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.deb')).sort();
  } catch {
    return [];
  }
  const packages = await mapWithLimit(names, concurrency, (name) => readControl(join(dir, name)));
  return packages.filter((pkg): pkg is DebPackage => pkg !== undefined);
}

/** Returns the package's control facts, or undefined when its control archive lacks them. */
async function readControl(path: string): Promise<DebPackage | undefined> {
  const child = spawn('dpkg-deb', ['--ctrl-tarfile', path], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = waitForExit(child, `dpkg-deb --ctrl-tarfile ${path}`);
  const members = new Map<string, string>();
  const parser = extract();
  child.stdout.pipe(parser);
  for await (const entry of parser) {
    const name = entry.header.name.replace(/^\.\//, '');
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (name === 'control' || name === 'md5sums') members.set(name, Buffer.concat(chunks).toString('utf8'));
  }
  await exited;

  const control = members.get('control') ?? '';
  const installedKiB = Number(/^Installed-Size:\s*(\d+)/m.exec(control)?.[1] ?? Number.NaN);
  const name = /^Package:\s*(\S+)/m.exec(control)?.[1];
  const files = (members.get('md5sums') ?? '').split('\n').filter((line) => line.trim() !== '').length;
  if (name === undefined || !Number.isFinite(installedKiB) || files === 0) return undefined;
  return { path, name, installedBytes: installedKiB * 1024, files };
}
