/**
 * Describes the machine and the tool versions behind the numbers.
 *
 * @module
 */

import { readFile } from 'node:fs/promises';
import { availableParallelism, cpus, release, totalmem, type } from 'node:os';
import { createRequire } from 'node:module';

import { projectRoot } from '../../src/test-support/shared.js';
import { run } from './process.js';

export interface MachineInfo {
  /** CPU model name, e.g. `AMD EPYC`, with `(virtual machine)` when the CPU flags show a hypervisor. */
  readonly cpuModel: string;
  /** Cores this process may use (`os.availableParallelism()`). */
  readonly cores: number;
  readonly memoryBytes: number;
  readonly os: string;
  readonly node: string;
  readonly hyperfine: string;
  readonly gzip: string;
  readonly peer: string;
  /** Commit of the checkout that was measured, e.g. `09687ec`, with a remark when src/ has local changes. */
  readonly strataRevision: string;
}

export async function describeMachine(): Promise<MachineInfo> {
  return {
    cpuModel: `${cpus()[0]?.model.trim() ?? 'unknown'}${(await runsUnderHypervisor()) ? ' (virtual machine)' : ''}`,
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    os: `${await distribution()} (${type()} ${release()})`,
    node: process.version,
    hyperfine: await firstLine('hyperfine', ['--version']),
    gzip: await firstLine('gzip', ['--version']),
    peer: `snyk-docker-plugin ${peerVersion()}`,
    strataRevision: await strataRevision(),
  };
}

/** Describes the measured checkout with read-only git commands; `--no-optional-locks` keeps git from refreshing the index. */
async function strataRevision(): Promise<string> {
  try {
    const git = (args: readonly string[]) => run('git', ['--no-optional-locks', '-C', projectRoot, ...args]);
    const commit = (await git(['rev-parse', '--short', 'HEAD'])).trim();
    const changed = (await git(['diff', '--name-only', 'HEAD', '--', 'src'])).trim();
    const untracked = (await git(['ls-files', '--others', '--exclude-standard', '--', 'src'])).trim();
    return changed === '' && untracked === '' ? `commit ${commit}` : `commit ${commit} with uncommitted changes under src/`;
  } catch {
    return 'unknown revision (not a git checkout)';
  }
}

async function runsUnderHypervisor(): Promise<boolean> {
  try {
    return /^flags\s*:.*\bhypervisor\b/m.test(await readFile('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

async function distribution(): Promise<string> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function firstLine(command: string, args: readonly string[]): Promise<string> {
  try {
    return (await run(command, args)).split('\n')[0]?.trim() ?? 'unknown';
  } catch {
    return `${command}: not found`;
  }
}

function peerVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('snyk-docker-plugin/package.json') as { version: string }).version;
  } catch {
    return 'not installed';
  }
}
