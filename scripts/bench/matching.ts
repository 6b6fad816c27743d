/**
 * Runs the matching benchmark (match-bench.ts) in a child process and returns what it printed.
 *
 * @module
 */

import { fileURLToPath } from 'node:url';

import type { MatchBenchOutput } from './match-bench.js';
import { run } from './process.js';

export type { MatchBenchOutput } from './match-bench.js';

const SCRIPT = fileURLToPath(new URL('./match-bench.ts', import.meta.url));

/** Times matchImage on 10,000 packages `runs` times against the database of `cacheDir`. */
export async function benchMatching(cacheDir: string, runs: number): Promise<MatchBenchOutput> {
  const output = await run(process.execPath, ['--import', 'tsx', SCRIPT, cacheDir, String(runs)]);
  return JSON.parse(output) as MatchBenchOutput;
}
