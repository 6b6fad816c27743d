/**
 * Plans the content of the generated layers: which file trees, how many copies of the trees of
 * small files, and how they are spread over the layers, to reach a target size and file count.
 *
 * Real package trees average far more than 10 kB per file: the 1,634 packages of one Debian 12 apt
 * cache averaged about 80 kB. A target of about 1 GB in 100,000 files therefore needs trees of
 * small files (documentation, Perl and Python modules) several times over, each copy under its own
 * prefix.
 *
 * @module
 */

import type { TarSource } from './layer-sources.js';

export interface Totals {
  readonly bytes: number;
  readonly files: number;
}

/** A file tree to put into a layer, with its estimated size and regular-file count. */
export interface PlannedTree extends Totals {
  readonly source: TarSource;
}

/** Upper bound on copies, so that a tree of tiny files cannot make the plan unbounded. */
const MAX_COPIES = 1000;

/**
 * Returns how many copies of the small-file trees (`small`, totals of one copy) bring the file count
 * to `targets.files` when bulk trees averaging `bulkBytesPerFile` fill the rest of `targets.bytes`.
 */
export function smallFileCopies(small: Totals, bulkBytesPerFile: number, targets: Totals): number {
  if (small.files === 0 || small.bytes === 0) return 0;
  const expectedFiles = (copies: number) => copies * small.files + Math.max(0, targets.bytes - copies * small.bytes) / bulkBytesPerFile;
  let copies = 0;
  while (copies < MAX_COPIES && (copies + 1) * small.bytes <= targets.bytes && expectedFiles(copies) < targets.files) copies++;
  return copies;
}

/** Takes trees in order until their bytes reach `bytes`. */
export function takeBytes(trees: Iterable<PlannedTree>, bytes: number): PlannedTree[] {
  const taken: PlannedTree[] = [];
  let total = 0;
  for (const tree of trees) {
    if (total >= bytes) break;
    taken.push(tree);
    total += tree.bytes;
  }
  return taken;
}

/**
 * Merges two lists, keeping the order within each, so that both advance at the same share of their
 * bytes. Every layer of a later split then gets some of each list.
 */
export function interleaveBySize(first: readonly PlannedTree[], second: readonly PlannedTree[]): PlannedTree[] {
  const firstTotal = totalsOf(first).bytes || 1;
  const secondTotal = totalsOf(second).bytes || 1;
  const merged: PlannedTree[] = [];
  let firstDone = 0;
  let secondDone = 0;
  let i = 0;
  let j = 0;
  while (i < first.length || j < second.length) {
    const nextFirst = first[i];
    const nextSecond = second[j];
    if (nextFirst !== undefined && (nextSecond === undefined || firstDone / firstTotal <= secondDone / secondTotal)) {
      merged.push(nextFirst);
      firstDone += nextFirst.bytes;
      i++;
    } else if (nextSecond !== undefined) {
      merged.push(nextSecond);
      secondDone += nextSecond.bytes;
      j++;
    }
  }
  return merged;
}

/** Splits `items` in order into at most `count` groups of about equal total size. */
export function splitBySize<T>(items: readonly T[], count: number, sizeOf: (item: T) => number): T[][] {
  const total = items.reduce((sum, item) => sum + sizeOf(item), 0) || 1;
  const groups: T[][] = Array.from({ length: count }, () => []);
  let cumulative = 0;
  for (const [position, item] of items.entries()) {
    const byShare = Math.min(count - 1, Math.floor((cumulative / total) * count));
    // When as many items remain as groups, each later group gets one.
    const earliestForCoverage = count - (items.length - position);
    groups[Math.max(byShare, earliestForCoverage)]?.push(item);
    cumulative += sizeOf(item);
  }
  return groups.filter((group) => group.length > 0);
}

export function totalsOf(items: readonly Totals[]): Totals {
  return items.reduce((sum, item) => ({ bytes: sum.bytes + item.bytes, files: sum.files + item.files }), { bytes: 0, files: 0 });
}
