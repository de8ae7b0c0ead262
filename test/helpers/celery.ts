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
  // kombu adds a worker to the roster before it subscribes to its mailbox: a ping sent in between is
  // lost. So a Redis worker is ready once it is in the roster and one of its connections listens.
  const ready = typeof client === 'function'
    ? () => client(name)
    : async () => (await client.sismember('_kombu.binding.celery.pidbox', member)) === 1 && (await subscribed(client, proc.pid!));
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

/** Whether a connection of process `pid` holds a pattern subscription (its mailbox) on the server. */
async function subscribed(client: Redis, pid: number): Promise<boolean> {
  const ports = await localPorts(pid);
  const list = String(await client.call('CLIENT', 'LIST')).split('\n');
  return list.some((l) => / psub=[1-9]/.test(l) && ports.has(Number(/ addr=\S*:(\d+) /.exec(` ${l}`)?.[1])));
}

/** The local TCP ports of a process's sockets, from /proc (the worker is our child, on this host). */
async function localPorts(pid: number): Promise<Set<number>> {
  const { readdir, readlink, readFile } = await import('node:fs/promises');
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
    if (m) inodes.add(m[1]);
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    const rows = (await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const row of rows) {
      const f = row.trim().split(/\s+/);
      if (f.length > 9 && inodes.has(f[9])) ports.add(parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
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
