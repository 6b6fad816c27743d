/**
 * `npm run bench`: measures Strata's scans, database builds and matching against its performance
 * targets, next to the decompression floor and snyk-docker-plugin, and writes docs/benchmarks.md.
 * Options: `--quick` (fewer runs, smaller large image) and `--regenerate` (rebuild the large image).
 *
 * @module
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { projectRoot } from '../src/test-support/shared.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';
import { cpuSnapshot, otherProcessShare } from './bench/cpu-share.js';
import { benchDatabases } from './bench/database.js';
import { largeImages, sharedImages } from './bench/images.js';
import { ensureLargeImage } from './bench/large-image/generate.js';
import { describeMachine } from './bench/machine.js';
import { benchMatching } from './bench/matching.js';
import { parseBenchOptions } from './bench/options.js';
import { commandWorks, run } from './bench/process.js';
import { renderReport } from './bench/report.js';
import { benchImage, type ImageResult, type ScanBenchContext } from './bench/scan-bench.js';
import { evaluateTargets } from './bench/targets.js';

const OUTPUT = join(projectRoot, 'docs', 'benchmarks.md');
/** Hand-written record of each optimisation and what it gained, copied into the report. */
const OPTIMIZATION_LOG = fileURLToPath(new URL('./bench/optimizations.md', import.meta.url));
/** Quick runs write here, so that trying the harness never replaces the reference numbers. */
const QUICK_OUTPUT = join(tmpdir(), 'strata-benchmarks-quick.md');
const STRATA_CLI = join(projectRoot, 'dist', 'cli', 'main.js');
const PEER_SCRIPT = fileURLToPath(new URL('./bench/peer-snyk.mjs', import.meta.url));

const startedAt = performance.now();

function log(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${message}\n`);
}

async function main(): Promise<void> {
  const settings = parseBenchOptions(process.argv.slice(2));
  await requireTools();
  log('building dist/');
  await run('npm', ['run', '--silent', 'build'], { cwd: projectRoot });

  const workDir = await mkdtemp(join(tmpdir(), 'strata-bench-'));
  try {
    const machine = await describeMachine();
    const large = await ensureLargeImage({ cacheRoot: settings.cacheRoot, spec: settings.largeImage, regenerate: settings.regenerate, log });
    // A fresh image leaves about 1.4 GB of dirty pages; writing them back during the runs would slow them.
    await run('sync', []);
    const cpuAtStart = await cpuSnapshot();
    const counts = { warmup: settings.warmup, runs: settings.runs, workDir };
    const databases = await benchDatabases({ ...counts, strataCli: STRATA_CLI, log });
    const combined = databases.at(-1);
    if (combined === undefined) throw new Error('no database was built');

    const peerUnavailable = await checkPeer();
    const context: ScanBenchContext = {
      ...counts,
      databaseCacheDir: combined.cacheDir,
      strataCli: STRATA_CLI,
      peerScript: PEER_SCRIPT,
      ...(peerUnavailable === undefined ? {} : { peerUnavailable }),
      log,
    };
    const images: ImageResult[] = [];
    for (const image of [...sharedImages(), ...largeImages(large)]) images.push(await benchImage(image, context));

    log('matching 10,000 packages');
    const matching = await benchMatching(combined.cacheDir, settings.matchRuns);
    const cpuAtEnd = await cpuSnapshot();
    const targets = evaluateTargets(images, matching);
    const report = renderReport({
      command: settings.quick ? 'npm run bench -- --quick' : 'npm run bench',
      date: new Date(),
      durationSeconds: (performance.now() - startedAt) / 1000,
      quick: settings.quick,
      warmup: settings.warmup,
      runs: settings.runs,
      matchRuns: settings.matchRuns,
      machine,
      ...(cpuAtStart === undefined || cpuAtEnd === undefined ? {} : { otherCpuShare: otherProcessShare(cpuAtStart, cpuAtEnd) }),
      largeImage: large.meta,
      images,
      databases,
      matching,
      targets,
      optimizationLog: await readFile(OPTIMIZATION_LOG, 'utf8'),
    });
    const output = settings.quick ? QUICK_OUTPUT : OUTPUT;
    await writeFileAtomic(output, report);
    for (const verdict of targets) log(`${verdict.met === true ? 'met    ' : verdict.met === false ? 'NOT MET' : 'n/a    '} ${verdict.target}: ${verdict.measured}`);
    log(`wrote ${output}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Debian packages that provide the tools the benchmark runs, by command. */
const TOOL_PACKAGES: readonly { readonly command: string; readonly args?: readonly string[]; readonly debianPackage: string }[] = [
  { command: 'hyperfine', debianPackage: 'hyperfine' },
  { command: '/usr/bin/time', args: ['-f', '%M', 'true'], debianPackage: 'time' },
  { command: 'gzip', debianPackage: 'gzip' },
];

/**
 * Installs missing tools with apt-get when running as root on Debian, as CI and the development
 * machines do. Elsewhere it names the packages to install and stops.
 */
async function requireTools(): Promise<void> {
  const missing: string[] = [];
  for (const tool of TOOL_PACKAGES) {
    if (!(await commandWorks(tool.command, tool.args))) missing.push(tool.debianPackage);
  }
  if (missing.length === 0) return;

  const canInstall = process.getuid?.() === 0 && (await commandWorks('apt-get', ['--version']));
  if (!canInstall) throw new Error(`the benchmark needs the Debian packages ${missing.join(', ')}; install them and rerun`);
  console.error(`installing ${missing.join(', ')} with apt-get`);
  await run('apt-get', ['update', '-qq']);
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** Returns why snyk-docker-plugin cannot run here, or undefined when it can. */
async function checkPeer(): Promise<string | undefined> {
  try {
    createRequire(import.meta.url).resolve('snyk-docker-plugin');
  } catch {
    return 'is not installed (npm install --save-dev snyk-docker-plugin@9)';
  }
  if (!(await commandWorks('unshare', ['-n', 'true']))) {
    return 'was not run, because `unshare -n` (root) is needed to keep it off the network';
  }
  return undefined;
}

await main();
