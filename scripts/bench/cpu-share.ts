/**
 * Measures how much CPU time processes outside the benchmark used while it ran, from the Linux
 * counters in /proc/stat (whole machine) and /proc/self/stat (this process and its waited-for
 * descendants, which include hyperfine and every command it timed).
 *
 * @module
 */

import { readFile } from 'node:fs/promises';

export interface CpuSnapshot {
  /** Clock ticks the machine spent busy, steal time included. */
  readonly busy: number;
  /** Clock ticks of all kinds, idle and I/O wait included. */
  readonly total: number;
  /** Clock ticks of this process and its waited-for descendants. */
  readonly own: number;
}

/** Reads the counters; returns undefined where /proc is not available. */
export async function cpuSnapshot(): Promise<CpuSnapshot | undefined> {
  try {
    const stat = await readFile('/proc/stat', 'utf8');
    // cpu user nice system idle iowait irq softirq steal guest guest_nice (proc(5)); guest time is already in user.
    const [user, nice, system, idle, iowait, irq, softirq, steal] = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
    const busy = sum([user, nice, system, irq, softirq, steal]);
    const total = busy + sum([idle, iowait]);

    // Fields 14 to 17 of /proc/self/stat are utime, stime, cutime and cstime. The command name in
    // field 2 may contain spaces, so the fields are counted from after its closing parenthesis.
    const self = await readFile('/proc/self/stat', 'utf8');
    const fields = self.slice(self.lastIndexOf(')') + 2).split(' ');
    const own = sum(fields.slice(11, 15).map(Number));
    return Number.isFinite(busy + total + own) ? { busy, total, own } : undefined;
  } catch {
    return undefined;
  }
}

/** Returns the share of all CPU time between the snapshots that other processes used, from 0 to 1. */
export function otherProcessShare(start: CpuSnapshot, end: CpuSnapshot): number {
  const total = end.total - start.total;
  if (total <= 0) return 0;
  const others = end.busy - start.busy - (end.own - start.own);
  return Math.min(1, Math.max(0, others / total));
}

function sum(values: readonly (number | undefined)[]): number {
  return values.reduce<number>((total, value) => total + (value ?? Number.NaN), 0);
}
