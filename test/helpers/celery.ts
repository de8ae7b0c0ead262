// Real Celery workers (Debian's python3-celery) running test/fixtures/app/fleetapp.py.
import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

const APP_DIR = fileURLToPath(new URL('../fixtures/app/', import.meta.url));
export const PYTHON = process.env.FLEETDOC_TEST_PYTHON ?? '/usr/bin/python3';
export const HOST = hostname();

export interface CeleryWorker {
  name: string;
  proc: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

export function celeryArgs(opts: { name?: string; queues?: string[]; concurrency?: number; extra?: string[] }): string[] {
  return [
    '-m', 'celery', '-A', 'fleetapp', 'worker',
    ...(opts.name ? ['-n', opts.name] : []),
    ...(opts.queues ? ['-Q', opts.queues.join(',')] : []),
    '-c', String(opts.concurrency ?? 1),
    '--loglevel=warning', '--without-mingle', '--without-gossip',
    ...(opts.extra ?? []),
  ];
}

/** Start a worker and wait until it is in the roster. `name` may use %h like celery's -n.
 * `client`: the Redis broker's client, or for other brokers a check that the named worker is ready. */
export async function startWorker(
  brokerUrl: string,
  client: Redis | ((name: string) => Promise<boolean>),
  opts: { name?: string; queues?: string[]; concurrency?: number; extra?: string[]; env?: Record<string, string> },
): Promise<CeleryWorker> {
  const proc = spawn(PYTHON, celeryArgs(opts), {
    cwd: APP_DIR,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...opts.env, FLEETDOC_TEST: '1', FLEETDOC_TEST_BROKER: brokerUrl, PYTHONDONTWRITEBYTECODE: '1' },
  });
  let log = '';
  proc.stderr!.on('data', (d) => { log = (log + d).slice(-4000); });
  const name = (opts.name ?? 'celery@%h').replace(/%h/g, HOST);
  const member = `\x06\x16\x06\x16${name}.celery.pidbox`;
  const ready = typeof client === 'function' ? () => client(name) : async () => (await client.sismember('_kombu.binding.celery.pidbox', member)) === 1;
  const deadline = Date.now() + 30_000;
  while (!(await ready())) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`worker ${name} did not come up:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    proc,
    pid: proc.pid!,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      // A stopped worker must be continued before it can die of TERM; KILL needs no help.
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

/** Send `count` tasks with the real Celery client; returns their ids. */
export async function sendTasks(brokerUrl: string, queue: string, count: number, task = 'fleetapp.add', opts: { priority?: number; args?: number[] } = {}): Promise<string[]> {
  const { execFile } = await import('node:child_process');
  const args = ['send.py', queue, String(count), task, opts.priority === undefined ? '-' : String(opts.priority), ...(opts.args ?? [1, 2]).map(String)];
  return new Promise((resolve, reject) => {
    execFile(PYTHON, args, { cwd: APP_DIR, env: { ...process.env, FLEETDOC_TEST_BROKER: brokerUrl } }, (err, stdout, stderr) =>
      err ? reject(new Error(`send.py failed: ${stderr}`)) : resolve(stdout.trim().split('\n').filter(Boolean)));
  });
}
