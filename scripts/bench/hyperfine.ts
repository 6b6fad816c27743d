/**
 * Runs one command under hyperfine and reads its JSON export. Because hyperfine does not measure
 * memory, the command can be wrapped in GNU time, which records the peak RSS of every run.
 *
 * @module
 */

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { run, shellQuote } from './process.js';

export interface MeasureOptions {
  readonly warmup: number;
  readonly runs: number;
  /** Shell command run before every run, warm-up included, e.g. to empty a cache. */
  readonly prepare?: string;
  /** Records the peak RSS of each measured run with `/usr/bin/time -f %M`. */
  readonly peakRss?: boolean;
  /** Folder for the JSON export and RSS log. */
  readonly workDir: string;
}

/** Wall-clock statistics of the measured runs, in seconds. */
export interface Timing {
  readonly median: number;
  readonly mean: number;
  readonly stddev: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export interface Measurement {
  readonly timing: Timing;
  /** Peak RSS of the measured runs in KiB, as GNU time reports it; present when requested. */
  readonly peakRssKiB?: { readonly median: number; readonly max: number };
}

interface HyperfineExport {
  results: { median: number; mean: number; stddev: number | null; min: number; max: number; times: number[] }[];
}

let measurementCount = 0;

/** Measures `command` (an sh command line) and returns its timing and, if asked, its peak RSS. */
export async function measure(command: string, options: MeasureOptions): Promise<Measurement> {
  const id = ++measurementCount;
  const exportPath = join(options.workDir, `hyperfine-${id}.json`);
  const rssPath = join(options.workDir, `rss-${id}.txt`);
  const timed = options.peakRss === true ? `/usr/bin/time -f %M -a -o ${shellQuote(rssPath)} ${command}` : command;

  const args = ['--style', 'none', '--warmup', String(options.warmup), '--runs', String(options.runs), '--export-json', exportPath];
  if (options.prepare !== undefined) args.push('--prepare', options.prepare);
  await run('hyperfine', [...args, timed]);

  const exported = JSON.parse(await readFile(exportPath, 'utf8')) as HyperfineExport;
  const result = exported.results[0];
  if (result === undefined) throw new Error(`hyperfine wrote no result for: ${command}`);
  const timing: Timing = {
    median: result.median,
    mean: result.mean,
    stddev: result.stddev ?? 0,
    min: result.min,
    max: result.max,
    runs: result.times.length,
  };
  if (options.peakRss !== true) return { timing };

  const peakRssKiB = await readPeakRss(rssPath, options.warmup, command);
  await rm(rssPath, { force: true });
  return { timing, peakRssKiB };
}

/** Reads the `%M` lines GNU time appended, one per run, and drops the warm-up runs at the start. */
async function readPeakRss(path: string, warmup: number, command: string): Promise<{ median: number; max: number }> {
  const values = (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()))
    .map(Number)
    .slice(warmup);
  if (values.length === 0) throw new Error(`GNU time recorded no peak RSS for: ${command}`);
  return { median: median(values), max: Math.max(...values) };
}

/** Returns the median of a non-empty list; for an even count, the mean of the middle two. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}
