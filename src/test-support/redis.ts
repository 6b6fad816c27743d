/**
 * Starts a throwaway `redis-server` on 127.0.0.1 for tests, with persistence off. Tests skip when
 * the binary is missing; `.ci/run` installs it from Debian's redis-server package.
 *
 * @module
 */

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` (with the password when one was set). */
  readonly url: string;
  stop(): Promise<void>;
}

/** Returns a `skip` option for node:test: false when redis-server is installed. */
export function skipUnlessRedis(): { skip: string | false } {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return { skip: found.error === undefined && found.status === 0 ? false : 'redis-server not installed; install the redis-server Debian package to run this test' };
}

export async function startRedis(options: { password?: string } = {}): Promise<RedisServer> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    if (options.password !== undefined) args.push('--requirepass', options.password);
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    if (await waitForPort(port, child)) {
      const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
      return { port, url: `redis://${auth}127.0.0.1:${port}`, stop: () => stop(child) };
    }
    await stop(child);
  }
  throw new Error('redis-server did not start on a free port after 5 attempts');
}

async function waitForPort(port: number, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) return false;
    if (await canConnect(port)) return true;
    await sleep(50);
  }
  return false;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
