/**
 * Times `matchImage` on 10,000 generated apk packages against a built database, in its own process
 * so that the heap of the benchmark driver does not affect it. Prints one JSON object.
 *
 * Usage: node --import tsx scripts/bench/match-bench.ts CACHE_DIR RUNS
 *
 * The packages are named after the origins of the Alpine secdb v3.10: the first package of each
 * origin takes its name, the others `ORIGIN-subN`. Their versions are fixed versions from that
 * secdb, so every package has advisories to compare and some of them match.
 *
 * @module
 */

import { readFile } from 'node:fs/promises';

import type { ImageView } from '../../src/applier/apply.js';
import { VulnerabilityStore } from '../../src/db/store.js';
import { matchImage } from '../../src/matcher/match.js';
import { sharedPath } from '../../src/test-support/shared.js';
import type { ImagePackage, LayerDescriptor } from '../../src/types.js';
import { median } from './hyperfine.js';

export interface MatchBenchOutput {
  readonly packages: number;
  readonly origins: number;
  readonly findings: number;
  readonly gaps: number;
  /** Milliseconds of each measured run, after one warm-up run. */
  readonly timesMs: readonly number[];
  readonly medianMs: number;
}

const PACKAGE_COUNT = 10_000;
const SECDB_FILES = ['main.json', 'community.json'].map((name) => sharedPath('feeds', 'alpine-secdb', 'v3.10', name));

interface SecdbDocument {
  packages: { pkg: { name: string; secfixes?: Record<string, unknown> } }[];
}

/** Returns each origin of the secdb files with the fixed versions its advisories name. */
async function readOrigins(): Promise<Map<string, string[]>> {
  const origins = new Map<string, string[]>();
  for (const path of SECDB_FILES) {
    const document = JSON.parse(await readFile(path, 'utf8')) as SecdbDocument;
    for (const { pkg } of document.packages) {
      const versions = Object.keys(pkg.secfixes ?? {}).filter((version) => /^\d/.test(version));
      origins.set(pkg.name, [...(origins.get(pkg.name) ?? []), ...versions]);
    }
  }
  return origins;
}

function generatePackages(origins: Map<string, string[]>, count: number): ImagePackage[] {
  const layer: LayerDescriptor = { index: 0, diffID: `sha256:${'0'.repeat(64)}` };
  const names = [...origins.keys()].sort();
  return Array.from({ length: count }, (_, position) => {
    const origin = names[position % names.length] ?? '';
    const round = Math.floor(position / names.length);
    const versions = origins.get(origin) ?? [];
    const version = versions[round % Math.max(1, versions.length)] ?? '1.0.0-r0';
    const name = round === 0 ? origin : `${origin}-sub${round}`;
    return {
      name,
      version,
      srcName: origin,
      srcVersion: version,
      arch: 'x86_64',
      type: 'apk',
      layer,
      purl: `pkg:apk/alpine/${name}@${version}?arch=x86_64&distro=3.10.4`,
    };
  });
}

async function main(): Promise<void> {
  const [cacheDir, runsText] = process.argv.slice(2);
  const runs = Number(runsText);
  if (cacheDir === undefined || !Number.isInteger(runs) || runs < 1) {
    throw new Error('usage: node --import tsx scripts/bench/match-bench.ts CACHE_DIR RUNS (RUNS a positive integer)');
  }

  const origins = await readOrigins();
  const packages = generatePackages(origins, PACKAGE_COUNT);
  const view: ImageView = { os: { family: 'alpine', name: '3.10.4' }, packages, packageDatabases: [], unknowns: [] };
  const store = VulnerabilityStore.open(cacheDir);
  try {
    let result = matchImage(view, store);
    const timesMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      result = matchImage(view, store);
      timesMs.push(performance.now() - started);
    }
    const output: MatchBenchOutput = {
      packages: packages.length,
      origins: origins.size,
      findings: result.findings.length,
      gaps: result.gaps.length,
      timesMs,
      medianMs: median(timesMs),
    };
    process.stdout.write(`${JSON.stringify(output)}\n`);
  } finally {
    store.close();
  }
}

await main();
