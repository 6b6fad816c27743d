/**
 * The performance targets and their verdicts, computed from the measurements.
 *
 * @module
 */

import type { MatchBenchOutput } from './matching.js';
import type { ImageResult } from './scan-bench.js';

export interface TargetVerdict {
  readonly target: string;
  readonly measured: string;
  /** Undefined when the numbers needed are missing. */
  readonly met: boolean | undefined;
}

const FLOOR_FACTOR = 1.3;
const PEER_FACTOR = 2;
const WARM_SHARE = 0.1;
const RSS_LIMIT_BYTES = 250e6;
const MATCH_LIMIT_MS = 1000;

export function evaluateTargets(images: readonly ImageResult[], matching: MatchBenchOutput): TargetVerdict[] {
  const large = images.filter((result) => result.image.largeForm !== undefined);
  const layout = large.find((result) => result.image.largeForm === 'layout');
  return [floorTarget(layout), peerTarget(images), warmTarget(layout, images), rssTarget(large), matchTarget(matching)];
}

function floorTarget(layout: ImageResult | undefined): TargetVerdict {
  const target = `Cold scan of the large image within ${FLOOR_FACTOR} × its single-core decompression floor`;
  if (layout === undefined) return { target, measured: 'large image not measured', met: undefined };
  const ratio = layout.cold.timing.median / layout.floor.timing.median;
  return { target, measured: `${formatRatio(ratio)} (${layout.image.name})`, met: ratio <= FLOOR_FACTOR };
}

function peerTarget(images: readonly ImageResult[]): TargetVerdict {
  const target = `At least ${PEER_FACTOR} × faster than snyk-docker-plugin on every image it reads`;
  const compared = images.flatMap((result) => ('measurement' in result.peer ? [{ result, ratio: result.peer.measurement.timing.median / result.cold.timing.median }] : []));
  if (compared.length === 0) return { target, measured: 'the peer read no image', met: undefined };
  const slowest = compared.reduce((low, entry) => (entry.ratio < low.ratio ? entry : low));
  const passing = compared.filter((entry) => entry.ratio >= PEER_FACTOR).length;
  return {
    target,
    measured: `${passing} of ${compared.length} images; lowest ${formatRatio(slowest.ratio)} (${slowest.result.image.name})`,
    met: passing === compared.length,
  };
}

function warmTarget(layout: ImageResult | undefined, images: readonly ImageResult[]): TargetVerdict {
  const target = `Warm rescan of the large image at most ${WARM_SHARE * 100} % of the cold scan`;
  if (layout === undefined) return { target, measured: 'large image not measured', met: undefined };
  const share = layout.warm.timing.median / layout.cold.timing.median;
  const others = images.filter((result) => result.image.largeForm === undefined);
  const othersPassing = others.filter((result) => result.warm.timing.median / result.cold.timing.median <= WARM_SHARE).length;
  return {
    target,
    measured: `${formatPercent(share)} (${layout.image.name}); small images: ${othersPassing} of ${others.length} within ${WARM_SHARE * 100} %`,
    met: share <= WARM_SHARE,
  };
}

function rssTarget(large: readonly ImageResult[]): TargetVerdict {
  const target = `Peak RSS of a large-image scan at most ${RSS_LIMIT_BYTES / 1e6} MB`;
  const peaks = large.flatMap((result) => [result.cold.peakRssKiB?.max, result.warm.peakRssKiB?.max]).filter((value): value is number => value !== undefined);
  if (peaks.length === 0) return { target, measured: 'large image not measured', met: undefined };
  const peakBytes = Math.max(...peaks) * 1024;
  return { target, measured: `${formatBytes(peakBytes)} (highest of every measured run, cold and warm)`, met: peakBytes <= RSS_LIMIT_BYTES };
}

function matchTarget(matching: MatchBenchOutput): TargetVerdict {
  return {
    target: `Matching ${matching.packages.toLocaleString('en-US')} packages in under ${MATCH_LIMIT_MS / 1000} s`,
    measured: `${formatMilliseconds(matching.medianMs)} median`,
    met: matching.medianMs < MATCH_LIMIT_MS,
  };
}

export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)} ×`;
}

export function formatPercent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/** Formats a byte count in decimal units: kB below 1 MB, else MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(0)} kB`;
  return `${(bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0)} MB`;
}

export function formatMilliseconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}
