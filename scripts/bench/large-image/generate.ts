/**
 * Generates the large benchmark image once and keeps it outside the repository: an OCI layout
 * directory of gzip layers, plus an OCI archive (a tar of that layout) for scanners that read
 * archives only.
 *
 * Layer 0 is the real root filesystem of a Debian 12 minbase image. The other layers contain the
 * file trees of real Debian packages from the local apt cache. Where that cache is empty, they
 * contain renamed copies of that root filesystem instead. Trees of small files are repeated under
 * their own `opt/` prefixes to reach the file count (see content-plan.ts and layer-plan.ts). The top layer also writes a real dpkg `status`
 * file, so the scanner finds the packages it lists.
 *
 * @module
 */

import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { mapWithLimit } from '../../../src/scan.js';
import { sharedPath } from '../../../src/test-support/shared.js';
import { run } from '../process.js';
import type { Totals } from './content-plan.js';
import { readDebPackages } from './deb-packages.js';
import { BASE_IMAGE, planCopyLayers, planDebLayers, type ContentKind } from './layer-plan.js';
import { fileSource, imageLayerSource } from './layer-sources.js';
import { writeLayer, type WrittenLayer } from './layer-writer.js';
import { writeLayoutDocuments } from './oci-layout.js';

/** Bump when the generated image changes, so that kept copies are regenerated. */
const GENERATOR_VERSION = 2;

const STATUS_FILE = sharedPath('pkgdb', 'debian', 'debian-12-bookworm-multilayer-final-amd64_var-lib-dpkg-status');

export interface LargeImageSpec extends Totals {
  readonly name: string;
  readonly layers: number;
}

export const LARGE_IMAGE_SPECS = {
  full: { name: 'large', bytes: 1_000_000_000, files: 100_000, layers: 20 },
  quick: { name: 'large-quick', bytes: 200_000_000, files: 20_000, layers: 20 },
} as const satisfies Record<string, LargeImageSpec>;

export interface LargeImageMeta {
  readonly generatorVersion: number;
  readonly content: ContentKind;
  /** Distinct Debian packages whose file trees fill the layers above the base; 0 for rootfs copies. */
  readonly debPackages: number;
  /** Copies of the small-file trees, the first one included. */
  readonly smallFileCopies: number;
  readonly layers: readonly WrittenLayer[];
  readonly uncompressedSize: number;
  readonly compressedSize: number;
  readonly files: number;
  readonly entries: number;
}

export interface LargeImage {
  readonly layoutDir: string;
  readonly archivePath: string;
  readonly meta: LargeImageMeta;
}

export interface GenerateOptions {
  /** Folder that keeps the image between runs, e.g. `~/.cache/strata-bench`. */
  readonly cacheRoot: string;
  readonly spec: LargeImageSpec;
  /** Generate again even when a kept image exists. */
  readonly regenerate: boolean;
  /** Folder of `.deb` files; default `/var/cache/apt/archives`. */
  readonly aptArchives?: string;
  readonly log: (message: string) => void;
}

/** Returns the kept image under `cacheRoot`, generating it first when it is missing, outdated or `regenerate` is set. */
export async function ensureLargeImage(options: GenerateOptions): Promise<LargeImage> {
  const { cacheRoot, spec, log } = options;
  const dir = join(cacheRoot, spec.name);
  const kept = options.regenerate ? undefined : await readMeta(dir);
  if (kept !== undefined) {
    log(`reusing the large image in ${dir}`);
    return { layoutDir: join(dir, 'layout'), archivePath: join(dir, 'oci-archive.tar'), meta: kept };
  }

  // Built beside the final folder and renamed into place, so an interrupted run leaves nothing that looks complete.
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  const blobDir = join(partial, 'layout', 'blobs', 'sha256');
  await mkdir(blobDir, { recursive: true });
  try {
    const meta = await generate(partial, blobDir, options);
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return { layoutDir: join(dir, 'layout'), archivePath: join(dir, 'oci-archive.tar'), meta };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

async function readMeta(dir: string): Promise<LargeImageMeta | undefined> {
  const path = join(dir, 'meta.json');
  if (!existsSync(path)) return undefined;
  const meta = JSON.parse(await readFile(path, 'utf8')) as LargeImageMeta;
  return meta.generatorVersion === GENERATOR_VERSION ? meta : undefined;
}

async function generate(dir: string, blobDir: string, options: GenerateOptions): Promise<LargeImageMeta> {
  const { spec, log } = options;
  log(`generating the large image in ${dir} (about ${spec.bytes / 1e6} MB, ${spec.files} files, ${spec.layers} layers)`);
  const base = await writeLayer([imageLayerSource(BASE_IMAGE, 0)], blobDir);
  const remaining = { bytes: spec.bytes - base.uncompressedSize, files: spec.files - base.files };

  const debs = await readDebPackages(options.aptArchives ?? '/var/cache/apt/archives', 4);
  const plan = debs.length > 0 ? planDebLayers(debs, remaining, spec.layers - 1) : await planCopyLayers(base, remaining, spec.layers - 1);
  const content = plan.content === 'debian-packages' ? `${plan.debPackages} Debian packages` : 'copies of the base root filesystem';
  log(`filling ${plan.groups.length} layers from ${content}, with ${plan.smallFileCopies} copies of the small-file trees`);

  const status = await fileSource('var/lib/dpkg/status', STATUS_FILE);
  const groups = plan.groups.map((group, position) => (position === plan.groups.length - 1 ? [...group.sources, status] : group.sources));
  let finished = 0;
  const upper = await mapWithLimit(groups, 2, async (sources) => {
    const layer = await writeLayer(sources, blobDir);
    log(`layer ${++finished}/${groups.length} written: ${(layer.uncompressedSize / 1e6).toFixed(0)} MB, ${layer.files} files`);
    return layer;
  });

  const layers = [base, ...upper];
  const createdBy = ['ADD debian-bookworm-minbase rootfs /', ...plan.groups.map((group) => group.createdBy)];
  await writeLayoutDocuments(join(dir, 'layout'), layers.map((layer, index) => ({ layer, createdBy: createdBy[index] ?? '' })), 'strata-bench-large');

  log('writing the OCI archive of the layout');
  await run('tar', ['-cf', join(dir, 'oci-archive.tar'), '-C', join(dir, 'layout'), 'oci-layout', 'index.json', 'blobs']);

  const meta: LargeImageMeta = {
    generatorVersion: GENERATOR_VERSION,
    content: plan.content,
    debPackages: plan.debPackages,
    smallFileCopies: plan.smallFileCopies,
    layers,
    uncompressedSize: sum(layers, (layer) => layer.uncompressedSize),
    compressedSize: sum(layers, (layer) => layer.size),
    files: sum(layers, (layer) => layer.files),
    entries: sum(layers, (layer) => layer.entries),
  };
  await writeFile(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}
