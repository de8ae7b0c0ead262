// A fixed fleet behind fake sources, for golden output: every state a command can print, with a fixed
// clock, run in-process through the real CLI wiring, gather layer, model and renderers.
import type { Sources } from '../../src/gather/types.js';
import type { BrokerClient, BrokerWorkersResult, Heartbeat } from '../../src/sources/broker/client.js';
import type { DockerEngineResult } from '../../src/sources/docker/containers.js';
import type { HostReport } from '../../src/sources/ssh/parse.js';
import { bw, ctr, proc } from '../helpers/model.js';

export const NOW = Date.UTC(2026, 11, 1, 3, 0, 0);
const nowS = NOW / 1000;
const HOST = 'pandalab-01';
const TARGET = '127.0.0.51:2251';

const replies: BrokerWorkersResult = {
  workers: [
    bw(`main-v0.13.0@${HOST}`, { pid: 8, children: [38, 39], queues: ['celery'] }),
    bw(`main@${HOST}`, { pid: 14, children: [40, 41], queues: ['celery'] }),
    bw(`tundra-gpu-v0.12.0@${HOST}`, { pid: 20, children: [45], concurrency: 1, queues: ['gpu'] }),
    bw('celery@46b9a1cf718a', { pid: 1, children: [7, 8], queues: ['gpu'] }),
    // Silent: stopped on its host (SSH shows it), and a ghost nothing shows.
    bw(`render-v0.13.0@${HOST}`, { responsive: false, pid: null, children: [], queues: null, concurrency: null, uptime_s: null }),
    bw('ghost-v0.13.0@old-box', { responsive: false, pid: null, children: [], queues: null, concurrency: null, uptime_s: null }),
  ],
  roster: [`main-v0.13.0@${HOST}`, `main@${HOST}`, `tundra-gpu-v0.12.0@${HOST}`, 'celery@46b9a1cf718a', `render-v0.13.0@${HOST}`, 'ghost-v0.13.0@old-box'],
  heldTasks: new Map(),
  // The stopped worker still listens (its connection stays open): one more listener than replies.
  reached: 5,
  warnings: [],
};

const beat = (name: string, age: number): Heartbeat => ({
  hostname: name, last_heartbeat_at: nowS - age, received_at: nowS - age, freq: 2, active: 0, processed: 3, loadavg: [0.1, 0.2, 0.3], sw_ver: '5.2.6', offline: false, count: 1,
});

const host: HostReport = {
  target: TARGET, ok: true, error: null, partial: false, hostname: HOST, load: [0.1, 0.1, 0.1],
  memory: { total_kb: 8_000_000, available_kb: 6_000_000 }, disks: [{ mount: '/', use_pct: 40, avail_kb: 10_000_000 }], warnings: [],
  processes: [
    proc(`main-v0.13.0@${HOST}`, { target: TARGET, host: HOST, pid: 8, children: [38, 39], cwd: '/srv/app', argv: ['celery', '-A', 'fleetapp', 'worker', '-n', 'main-v0.13.0@%h', '-Q', 'celery'] }),
    proc(`main@${HOST}`, { target: TARGET, host: HOST, pid: 14, children: [40, 41], cwd: '/srv/app', argv: ['celery', '-A', 'fleetapp', 'worker', '-n', 'main@%h', '-Q', 'celery'] }),
    proc(`tundra-gpu-v0.12.0@${HOST}`, { target: TARGET, host: HOST, pid: 20, children: [45], cwd: '/srv/app', queues: ['gpu'], argv: ['celery', '-A', 'fleetapp', 'worker', '--hostname=tundra-gpu-v0.12.0@%h', '-Q', 'gpu'] }),
    proc(`render-v0.13.0@${HOST}`, { target: TARGET, host: HOST, pid: 32, children: [49], state: 'T', elapsed_s: 600, queues: ['render'], argv: ['celery', '-A', 'fleetapp', 'worker', '-n', 'render-v0.13.0@%h', '-Q', 'render'],
      // Stopped, it still holds its mailbox subscription: the silent listener the broker counts.
      connections: [{ local: '127.0.0.51:40200', remote: '127.0.0.1:6379', state: 'ESTABLISHED' }] }),
    // Another app on db 1 of the same Redis: connected there, so it is foreign, never ours to kill.
    proc(`billing@${HOST}`, {
      target: TARGET, host: HOST, pid: 60, children: [61], queues: ['celery'], argv: ['celery', '-A', 'billing', 'worker', '-n', 'billing@%h'],
      connections: [{ local: '127.0.0.51:40100', remote: '127.0.0.1:6379', state: 'ESTABLISHED' }],
    }),
    // Pointed where nothing listens: connected to no broker at all.
    proc(`lost-v0.13.0@${HOST}`, {
      target: TARGET, host: HOST, pid: 70, children: [71], queues: ['celery'], argv: ['celery', '-A', 'fleetapp', 'worker', '-b', 'redis://192.0.2.1:6379/0', '-n', 'lost-v0.13.0@%h'],
      broker_url: 'redis://192.0.2.1:6379/0', broker_from: 'argv', connections: [{ local: '127.0.0.51:40300', remote: '192.0.2.1:6379', state: 'SYN_SENT' }],
    }),
    // Nothing tells where it is connected: a question, never a kill target.
    proc(`mystery@${HOST}`, { target: TARGET, host: HOST, pid: 80, children: [], queues: ['celery'], argv: ['celery', '-A', 'other', 'worker', '-n', 'mystery@%h'], connections: null }),
  ],
};

const engine: DockerEngineResult = {
  engine: 'unix:///var/run/docker.sock', ok: true, error: null, logs: {},
  containers: [ctr('celery@46b9a1cf718a', { name: 'fdt-demo-old', id: '46b9a1cf718a0000', hostname: '46b9a1cf718a', image: 'app:0.12.0', queues: ['gpu'], command: ['celery', '-A', 'fleetapp', 'worker', '-Q', 'gpu'], started_at: new Date(NOW - 3600_000).toISOString() })],
};

function broker(): BrokerClient {
  const fail = () => { throw new Error('golden fleet: read-only'); };
  return {
    target: null as never, kind: 'redis', display: 'redis://127.0.0.1:6379/0', endpoint: { host: '127.0.0.1', port: 6379 },
    workers: async () => replies,
    listen: async () => ({
      workers: new Map([`main-v0.13.0@${HOST}`, `main@${HOST}`, `tundra-gpu-v0.12.0@${HOST}`, 'celery@46b9a1cf718a'].map((n, i) => [n, beat(n, i * 0.5)])),
      // The unversioned worker fails most of what it takes: old code failing new tasks.
      tasks: new Map([[`main@${HOST}`, { succeeded: 1, failed: 3, retried: 0, rejected: 0 }], [`main-v0.13.0@${HOST}`, { succeeded: 5, failed: 0, retried: 1, rejected: 0 }]]),
      warnings: [],
    }),
    queueNames: async () => ({ names: ['celery', 'gpu', 'render', 'reports'], warnings: [] }),
    readQueues: async (names) => ({
      queues: names.map((name) => ({
        name, messages: name === 'reports' ? 4 : 0, unacked: name === 'render' ? 1 : 0, oldestUnackedAt: name === 'render' ? nowS - 95 : null,
        orphaned: name === 'render' ? 1 : 0, oldestOrphanAt: name === 'render' ? nowS - 95 : null, consumers: null, readProblems: [],
      })),
      warnings: [],
    }),
    info: async () => ({ kind: 'redis', latency_ms: 0.2, version: '7.0.15', used_memory: 1_000_000, maxmemory: 0, maxmemory_policy: 'noeviction', rejected_connections: 0, evicted_keys: 0, alarms: [] }),
    clients: async () => ({
      ok: true, error: null,
      clients: [
        { addr: '127.0.0.51:40100', laddr: '127.0.0.1:6379', db: 1, vhost: null, subscriptions: 1, idle_s: 0, name: null },
        { addr: '127.0.0.51:40200', laddr: '127.0.0.1:6379', db: 0, vhost: null, subscriptions: 1, idle_s: 95, name: null },
      ],
    }),
    shutdown: fail, answering: fail, removeGhost: fail,
    close: async () => undefined,
  };
}

export const goldenSources: Sources = {
  openBroker: async () => broker(),
  docker: async () => [engine],
  ssh: async () => [host],
  registry: async () => { throw new Error('golden fleet: no registry'); },
  effects: async () => { throw new Error('golden fleet: never acts'); },
};

/** Global flags for every golden run: the sources above, as a config would name them. */
export const FLAGS = ['-b', 'redis://127.0.0.1:6379/0', '--server-version', '0.13.0', '--ssh', TARGET, '--ssh-config', '/etc/fleetdoc/ssh_config', '--docker', 'unix:///var/run/docker.sock'];
