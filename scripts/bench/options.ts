/**
 * Command-line options of `npm run bench` and the run counts they select.
 *
 * @module
 */

import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';

import { LARGE_IMAGE_SPECS, type LargeImageSpec } from './large-image/generate.js';

export interface BenchSettings {
  readonly quick: boolean;
  /** Regenerate the large image even when a kept copy exists. */
  readonly regenerate: boolean;
  readonly warmup: number;
  readonly runs: number;
  readonly matchRuns: number;
  readonly largeImage: LargeImageSpec;
  /** Folder that keeps the large image between runs. */
  readonly cacheRoot: string;
}

const USAGE = `usage: npm run bench -- [--quick] [--regenerate]
  --quick       2 measured runs and a 200 MB large image, for trying the harness;
                writes $TMPDIR/strata-benchmarks-quick.md instead of docs/benchmarks.md
  --regenerate  generate the large image again even when a kept copy exists`;

export function parseBenchOptions(argv: readonly string[]): BenchSettings {
  let values: { quick?: boolean; regenerate?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { quick: { type: 'boolean' }, regenerate: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }

  const quick = values.quick === true;
  return {
    quick,
    regenerate: values.regenerate === true,
    warmup: 1,
    runs: quick ? 2 : 5,
    matchRuns: quick ? 3 : 10,
    largeImage: quick ? LARGE_IMAGE_SPECS.quick : LARGE_IMAGE_SPECS.full,
    cacheRoot: benchCacheRoot(),
  };
}

/** `$XDG_CACHE_HOME/strata-bench`, or `~/.cache/strata-bench` when the variable is unset or relative. */
function benchCacheRoot(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(homedir(), '.cache');
  return join(base, 'strata-bench');
}
