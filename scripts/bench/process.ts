/**
 * Child-process helpers for the benchmark: run a command to completion, wait for a spawned one,
 * and quote arguments for the shell command lines that hyperfine runs.
 *
 * @module
 */

import { spawn, type ChildProcess } from 'node:child_process';

export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs `command` with `args` and returns its stdout; when it exits non-zero, throws with the end of its output. */
export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  // Some tools, tsc among them, print their errors on stdout, so both streams go into the message.
  const output = () => `${Buffer.concat(stdout).toString('utf8')}\n${Buffer.concat(stderr).toString('utf8')}`;
  await waitForExit(child, `${command} ${args.join(' ')}`, output);
  return Buffer.concat(stdout).toString('utf8');
}

/** Resolves when `child` exits with status 0; otherwise rejects with the command and `detail()`. */
export function waitForExit(child: ChildProcess, label: string, detail: () => string = () => ''): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`${label} could not be started: ${error.message}`, { cause: error })));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${label} failed with ${signal ?? `exit code ${String(code)}`}: ${detail().trim().slice(-2000)}`));
    });
  });
}

/** Returns true when `command --version` (or the given probe arguments) exits with status 0. */
export async function commandWorks(command: string, args: readonly string[] = ['--version']): Promise<boolean> {
  try {
    await run(command, args);
    return true;
  } catch {
    return false;
  }
}

/** Quotes one argument for POSIX sh, e.g. `it's` => `'it'\''s'`. */
export function shellQuote(argument: string): string {
  if (/^[\w@%+=:,./-]+$/.test(argument)) return argument;
  return `'${argument.replaceAll("'", `'\\''`)}'`;
}

/** Joins a command and its arguments into one sh command line. */
export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
