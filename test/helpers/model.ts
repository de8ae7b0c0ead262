// Pure-model fixtures: evidence with sane defaults, and the fleet the model builds from it.
import type { FleetEvidence } from '../../src/model/verdict/evidence.js';
import { buildFleet } from '../../src/model/verdict/fleet.js';
import type { BrokerWorker, ContainerRecord, ProcessRecord, Worker } from '../../src/model/types.js';

export const NOW_S = 1_795_000_000;

export const OURS: FleetEvidence['broker'] = { kind: 'redis', display: 'redis://127.0.0.1:6379/0', host: '127.0.0.1', port: 6379, db: 0, vhost: null };

export function bw(name: string, over: Partial<BrokerWorker> = {}): BrokerWorker {
  return { name, responsive: true, in_roster: true, pid: 10, concurrency: 2, uptime_s: 60, queues: ['celery'], children: [11, 12], broker: null, ...over };
}

export function proc(name: string, over: Partial<ProcessRecord> = {}): ProcessRecord {
  return {
    target: 'h', host: 'h', pid: 10, ppid: 1, state: 'S', elapsed_s: 60, rss_kb: 1000, children: [11, 12],
    command: `celery worker -n ${name}`, argv: ['celery', 'worker', '-n', name], worker_name: name, queues: ['celery'], concurrency: 2, cwd: null, ...over,
  };
}

export function ctr(name: string, over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    engine: 'unix:///var/run/docker.sock', id: 'abc123def456', name: 'c1', image: 'app:1', status: 'running', restart_count: 0,
    exit_code: 0, oom_killed: false, started_at: null, finished_at: null, compose: null, hostname: 'c1',
    command: ['celery', 'worker', '-n', name], worker_name: name, queues: ['celery'], concurrency: 2, image_version: null, pid: 100, ...over,
  };
}

export interface EvidenceIn extends Partial<Omit<FleetEvidence, 'replies'>> {
  workers?: BrokerWorker[];
  roster?: string[];
  /** The broker's count of listeners; default: one per responsive worker. */
  reached?: number | null;
  rosterConsumers?: Map<string, number>;
  sshHosts?: string[];
}

export function evidence(i: EvidenceIn = {}): FleetEvidence {
  const workers = i.workers ?? [];
  return {
    broker: i.broker ?? OURS,
    replies: {
      workers,
      roster: i.roster ?? workers.filter((w) => w.in_roster).map((w) => w.name),
      heldTasks: new Map(),
      reached: i.reached === undefined ? workers.filter((w) => w.responsive).length : i.reached,
      rosterConsumers: i.rosterConsumers,
    },
    clients: i.clients ?? null,
    containers: i.containers ?? [],
    processes: i.processes ?? [],
    sources: i.sources ?? { hosts: (i.sshHosts ?? []).map((h) => ({ target: h, ok: true, error: null, hostname: h })), engines: [] },
    heartbeats: i.heartbeats ?? new Map(),
    listenedS: i.listenedS ?? 0,
    tasks: i.tasks ?? new Map(),
    orphans: i.orphans ?? new Map(),
  };
}

export function fleetOf(i: EvidenceIn = {}, serverVersion: string | null = '0.13.0'): Worker[] {
  return buildFleet(evidence(i), { serverVersion, compatible: null }, { nowS: NOW_S, timeoutS: 1, visibilityTimeoutS: 3600 }).workers;
}
