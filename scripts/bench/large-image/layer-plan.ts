/**
 * Plans the layers above the base: which file trees each one holds, from Debian packages or, as a
 * fallback, from copies of the base root filesystem.
 *
 * @module
 */

import { sharedPath } from '../../../src/test-support/shared.js';
import { interleaveBySize, smallFileCopies, splitBySize, takeBytes, totalsOf, type PlannedTree, type Totals } from './content-plan.js';
import type { DebPackage } from './deb-packages.js';
import { debSource, imageLayerSource, measureTree, type LayerSource } from './layer-sources.js';
import type { WrittenLayer } from './layer-writer.js';

/** The real Debian 12 minbase image whose root filesystem is layer 0. */
export const BASE_IMAGE = sharedPath('images', 'debian-bookworm-minbase', 'docker-save.tar');

/** A tree whose files average at most this many bytes counts as a tree of small files. */
const SMALL_FILE_BYTES = 4096;

export type ContentKind = 'debian-packages' | 'rootfs-copies';

export interface LayerGroup {
  readonly sources: readonly LayerSource[];
  readonly createdBy: string;
}

export interface LayerPlan {
  readonly content: ContentKind;
  readonly debPackages: number;
  readonly smallFileCopies: number;
  readonly groups: readonly LayerGroup[];
}

/**
 * Bulk bytes come from packages of larger files, each used once in name order; the packages of
 * small files are used `copies` times. No package larger than one layer's share is used.
 */
export function planDebLayers(debs: readonly DebPackage[], targets: Totals, layerCount: number): LayerPlan {
  const fitting = debs.filter((pkg) => pkg.installedBytes <= targets.bytes / layerCount);
  const small = fitting.filter((pkg) => pkg.installedBytes / pkg.files <= SMALL_FILE_BYTES);
  const bulk = fitting.filter((pkg) => pkg.installedBytes / pkg.files > SMALL_FILE_BYTES);
  const smallTotals = totalsOf(small.map((pkg) => ({ bytes: pkg.installedBytes, files: pkg.files })));
  const bulkTotals = totalsOf(bulk.map((pkg) => ({ bytes: pkg.installedBytes, files: pkg.files })));
  const copies = smallFileCopies(smallTotals, bulkTotals.bytes / Math.max(1, bulkTotals.files), targets);

  const tree = (pkg: DebPackage, prefix?: string): PlannedTree => ({
    source: debSource(pkg.path, pkg.name, prefix === undefined ? {} : { prefix }),
    bytes: pkg.installedBytes,
    files: pkg.files,
  });
  const smallTrees = Array.from({ length: copies }, (_, copy) => small.map((pkg) => tree(pkg, copy === 0 ? undefined : `opt/copy-${copy + 1}`))).flat();
  const bulkTrees = takeBytes(
    bulk.map((pkg) => tree(pkg)),
    targets.bytes - copies * smallTotals.bytes,
  );
  const trees = interleaveBySize(bulkTrees, smallTrees);
  const debPackages = bulkTrees.length + (copies > 0 ? small.length : 0);
  return { content: 'debian-packages', debPackages, smallFileCopies: copies, groups: groupTrees(trees, layerCount) };
}

/**
 * Fallback without a local apt cache: whole copies of the base tree for the bytes, and copies of
 * its small files alone for the file count, each under its own prefix.
 */
export async function planCopyLayers(base: WrittenLayer, targets: Totals, layerCount: number): Promise<LayerPlan> {
  const smallSource = (prefix: string) => imageLayerSource(BASE_IMAGE, 0, { prefix, maxFileSize: SMALL_FILE_BYTES });
  const smallTotals = await measureTree(smallSource('opt/small-files-1'));
  const copies = smallFileCopies(smallTotals, base.uncompressedSize / base.files, targets);
  const wholeCopies = Math.max(1, Math.ceil((targets.bytes - copies * smallTotals.bytes) / base.uncompressedSize));

  const smallTrees = Array.from({ length: copies }, (_, copy) => ({ source: smallSource(`opt/small-files-${copy + 1}`), ...smallTotals }));
  const wholeTrees = Array.from({ length: wholeCopies }, (_, copy) => ({
    source: imageLayerSource(BASE_IMAGE, 0, { prefix: `opt/rootfs-copy-${copy + 1}` }),
    bytes: base.uncompressedSize,
    files: base.files,
  }));
  const trees = interleaveBySize(wholeTrees, smallTrees);
  // NOTE: a whole copy (about 75 MB) is larger than one layer's share of 1 GB, so this fallback
  // makes fewer layers than requested (15 instead of 20 for the full image).
  return { content: 'rootfs-copies', debPackages: 0, smallFileCopies: copies, groups: groupTrees(trees, layerCount) };
}

function groupTrees(trees: readonly PlannedTree[], layerCount: number): LayerGroup[] {
  return splitBySize(trees, layerCount, (planned) => planned.bytes).map((group) => {
    const shown = group.slice(0, 3).map((planned) => planned.source.label);
    const more = group.length > shown.length ? `; and ${group.length - shown.length} more` : '';
    return { sources: group.map((planned) => planned.source), createdBy: `COPY ${group.length} file trees: ${shown.join('; ')}${more}` };
  });
}
