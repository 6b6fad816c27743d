/**
 * Measures one image: Strata's cold and warm scans with their peak RSS, the decompression floor,
 * and snyk-docker-plugin scanning the same archive.
 *
 * @module
 */

import { cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { measure, type Measurement, type Timing } from './hyperfine.js';
import type { BenchImage } from './images.js';
import { planFloor, type FloorPlan } from './floor.js';
import { run, shellCommand } from './process.js';

export interface ScanBenchContext {
  readonly warmup: number;
  readonly runs: number;
  readonly workDir: string;
  /** Cache directory with the prebuilt database under `db/`, copied for each image. */
  readonly databaseCacheDir: string;
  readonly strataCli: string;
  readonly peerScript: string;
  /** Set when the peer cannot run on this machine at all, with the reason. */
  readonly peerUnavailable?: string;
  readonly log: (message: string) => void;
}

export type PeerResult = { readonly measurement: Measurement; readonly packages: number } | { readonly unsupported: string };

export interface ImageResult {
  readonly image: BenchImage;
  readonly cold: Measurement;
  readonly warm: Measurement;
  readonly floor: { readonly plan: FloorPlan; readonly timing: Timing };
  readonly peer: PeerResult;
  /** OS packages in Strata's report. */
  readonly packages: number;
}

/** Floor timings by command, so images that share their blobs are decompressed once. */
const floorTimings = new Map<string, Timing>();
let cacheCount = 0;

export async function benchImage(image: BenchImage, context: ScanBenchContext): Promise<ImageResult> {
  const cacheDir = join(context.workDir, `cache-${++cacheCount}`);
  await mkdir(cacheDir, { recursive: true });
  await cp(join(context.databaseCacheDir, 'db'), join(cacheDir, 'db'), { recursive: true });

  const scan = shellCommand(strataArgs(context.strataCli, image, cacheDir));
  const options = { warmup: context.warmup, runs: context.runs, workDir: context.workDir };
  context.log(`${image.name}: Strata cold`);
  const cold = await measure(scan, { ...options, peakRss: true, prepare: shellCommand(['rm', '-rf', join(cacheDir, 'scan')]) });
  context.log(`${image.name}: Strata warm`);
  const warm = await measure(scan, { ...options, peakRss: true });
  const packages = await countStrataPackages(context.strataCli, image, cacheDir);

  const floor = await measureFloor(image, context);
  const peer = await measurePeer(image, context);
  return { image, cold, warm, floor, peer, packages };
}

function strataArgs(cli: string, image: BenchImage, cacheDir: string): string[] {
  const args = ['node', cli, 'image', '--quiet', '--cache-dir', cacheDir, '--input', image.input];
  if (image.platform !== undefined) args.push('--platform', image.platform);
  return args;
}

/** Counts the OS packages of Strata's JSON report; run after the timed scans, so the cache is warm. */
async function countStrataPackages(cli: string, image: BenchImage, cacheDir: string): Promise<number> {
  const [command, ...args] = [...strataArgs(cli, image, cacheDir), '--format', 'json', '--list-all-pkgs'];
  const report = JSON.parse(await run(command ?? 'node', args)) as { Results?: { Packages?: unknown[] }[] };
  return (report.Results ?? []).reduce((total, result) => total + (result.Packages?.length ?? 0), 0);
}

async function measureFloor(image: BenchImage, context: ScanBenchContext): Promise<ImageResult['floor']> {
  const plan = await planFloor(image, context.workDir);
  let timing = floorTimings.get(plan.command);
  if (timing === undefined) {
    context.log(`${image.name}: decompression floor (${plan.description})`);
    timing = (await measure(plan.command, { warmup: context.warmup, runs: context.runs, workDir: context.workDir })).timing;
    floorTimings.set(plan.command, timing);
  }
  return { plan, timing };
}

async function measurePeer(image: BenchImage, context: ScanBenchContext): Promise<PeerResult> {
  if (context.peerUnavailable !== undefined) return { unsupported: context.peerUnavailable };
  if ('unsupported' in image.peer) return { unsupported: image.peer.unsupported };

  // `unshare -n` runs the peer in an empty network namespace, so it cannot reach any host.
  const output = join(context.workDir, `peer-${cacheCount}.json`);
  const args = ['unshare', '-n', 'node', context.peerScript, image.peer.path];
  if (image.platform !== undefined) args.push(image.platform);
  context.log(`${image.name}: snyk-docker-plugin`);
  const measurement = await measure(`${shellCommand(args)} > ${shellCommand([output])}`, {
    warmup: context.warmup,
    runs: context.runs,
    workDir: context.workDir,
    peakRss: true,
  });
  const { packages } = JSON.parse(await readFile(output, 'utf8')) as { packages: number };
  return { measurement, packages };
}
