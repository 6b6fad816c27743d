/**
 * Merges per-layer analyses into the image view: what the final filesystem contains, with each
 * package attributed to the layer that brought it.
 *
 * Whiteouts and opaque directories of layer N hide files of layers below N only, as the OCI image
 * spec defines them, so each layer's deletions apply before its own files are added.
 *
 * @module
 */

import { detectOS } from '../analyzer/index.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type {
  ImagePackage,
  LayerAnalysis,
  LayerDescriptor,
  OSInfo,
  Package,
  PackageDatabase,
  Unknown,
} from '../types.js';
import { packageURL } from './purl.js';

export interface AnalyzedLayer {
  readonly descriptor: LayerDescriptor;
  readonly analysis: LayerAnalysis;
}

/** The merged image: OS, packages with their layers, and what could not be read. */
export interface ImageView {
  readonly os?: OSInfo;
  readonly packages: readonly ImagePackage[];
  /** Package databases present in the final filesystem, with the layer that wrote each last. */
  readonly packageDatabases: readonly { readonly database: PackageDatabase; readonly layer: LayerDescriptor }[];
  readonly unknowns: readonly (Unknown & { readonly layer: LayerDescriptor })[];
}

/** A file of the final filesystem and the layer whose copy is visible. */
interface VisibleFile<T> {
  readonly layerIndex: number;
  readonly value: T;
}

/** Builds the image view from layers in manifest order (lowest first). */
export function applyLayers(layers: readonly AnalyzedLayer[], logger: Logger = silentLogger): ImageView {
  const osFiles = new Map<string, VisibleFile<string>>();
  const databases = new Map<string, VisibleFile<PackageDatabase>>();

  for (const [position, { descriptor, analysis }] of layers.entries()) {
    // Deletions first: they hide lower layers, never this layer's own entries.
    for (const dir of analysis.opaqueDirs) {
      const removed = removeUnder(osFiles, dir, false) + removeUnder(databases, dir, false);
      logger.debug('opaque directory applied', { layer: descriptor.index, dir, removed });
    }
    for (const path of analysis.whiteouts) {
      const removed = removeUnder(osFiles, path, true) + removeUnder(databases, path, true);
      if (removed > 0) logger.debug('whiteout removed analysed files', { layer: descriptor.index, path, removed });
    }

    for (const [path, content] of Object.entries(analysis.osFiles)) {
      osFiles.set(path, { layerIndex: position, value: content });
    }
    for (const database of analysis.packageDatabases) {
      databases.set(`${database.type}\0${database.path}`, { layerIndex: position, value: database });
    }
  }

  const finalOSFiles: Record<string, string> = {};
  for (const [path, file] of osFiles) finalOSFiles[path] = file.value;
  const os = detectOS(finalOSFiles) ?? undefined;
  logger.debug('operating system detected', { family: os?.family ?? 'unknown', name: os?.name ?? '' });

  const origins = indexPackagesByLayer(layers);
  const packages: ImagePackage[] = [];
  const visibleDatabases: { database: PackageDatabase; layer: LayerDescriptor }[] = [];
  for (const file of databases.values()) {
    const database = file.value;
    const layer = layers[file.layerIndex]?.descriptor;
    if (layer === undefined) continue;
    visibleDatabases.push({ database, layer });

    for (const pkg of database.packages) {
      const origin = origins.get(packageKey(database.type, pkg)) ?? layer;
      packages.push({
        ...pkg,
        type: database.type,
        layer: origin,
        purl: packageURL(database.type, pkg, os) ?? '',
      });
    }
  }

  // A file a later layer deletes or replaces is not in the image, so it is no gap in the report.
  const unknowns = layers.flatMap(({ descriptor, analysis }, position) =>
    analysis.unknowns.filter((unknown) => !replacedLater(layers, position, unknown.path)).map((unknown) => ({ ...unknown, layer: descriptor })),
  );

  return { ...(os === undefined ? {} : { os }), packages: sortPackages(dedupe(packages, logger)), packageDatabases: visibleDatabases, unknowns };
}

/**
 * Maps each package (type, name, version, architecture) to the lowest layer whose database lists
 * it. A package upgraded in a later layer is thus attributed to that layer. One pass over all
 * databases, so the cost grows linearly with the number of packages.
 */
function indexPackagesByLayer(layers: readonly AnalyzedLayer[]): Map<string, LayerDescriptor> {
  const origins = new Map<string, LayerDescriptor>();
  for (const { descriptor, analysis } of layers) {
    for (const database of analysis.packageDatabases) {
      for (const pkg of database.packages) {
        const key = packageKey(database.type, pkg);
        if (!origins.has(key)) origins.set(key, descriptor);
      }
    }
  }
  return origins;
}

function packageKey(type: string, pkg: Package): string {
  return [type, pkg.name, pkg.version, pkg.arch ?? ''].join('\0');
}

/** Returns true when a layer above `position` deletes `path`, hides its directory, or writes it again. */
function replacedLater(layers: readonly AnalyzedLayer[], position: number, path: string): boolean {
  for (const { analysis } of layers.slice(position + 1)) {
    if (analysis.whiteouts.some((deleted) => path === deleted || path.startsWith(`${deleted}/`))) return true;
    if (analysis.opaqueDirs.some((dir) => dir === '' || path.startsWith(`${dir}/`))) return true;
    if (path in analysis.osFiles || analysis.packageDatabases.some((database) => database.path === path)) return true;
  }
  return false;
}

/** Removes `path` itself (when `self`) and everything under it; returns how many were removed. */
function removeUnder<T>(files: Map<string, VisibleFile<T>>, path: string, self: boolean): number {
  const prefix = path === '' ? '' : `${path}/`;
  let removed = 0;
  for (const key of [...files.keys()]) {
    const filePath = key.includes('\0') ? key.slice(key.indexOf('\0') + 1) : key;
    if ((self && filePath === path) || filePath.startsWith(prefix)) {
      files.delete(key);
      removed++;
    }
  }
  return removed;
}

/** Drops exact duplicates, which appear when two databases of one type list the same package. */
function dedupe(packages: ImagePackage[], logger: Logger): ImagePackage[] {
  const seen = new Map<string, ImagePackage>();
  for (const pkg of packages) {
    const key = packageKey(pkg.type, pkg);
    if (seen.has(key)) {
      logger.debug('duplicate package dropped', { type: pkg.type, name: pkg.name, version: pkg.version });
      continue;
    }
    seen.set(key, pkg);
  }
  return [...seen.values()];
}

function sortPackages(packages: ImagePackage[]): ImagePackage[] {
  return packages.sort(
    (a, b) => compareText(a.name, b.name) || compareText(a.version, b.version) || compareText(a.arch ?? '', b.arch ?? ''),
  );
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
