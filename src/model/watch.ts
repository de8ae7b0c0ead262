// Pure: what `watch` shows at one refresh, and what changed since the one before.
import { heartbeatAgeS, type HeartbeatFact, type TaskOutcomes } from './verdict/evidence.js';
import type { QueueRow } from './queues.js';
import { exitCodeFor, worst } from './severity.js';
import { taskStats } from './diagnose/task-outcomes.js';
import type { Severity, Worker } from './types.js';

export interface WatchWorker {
  name: string;
  state: string;
  status: string;
  version: string | null;
  responsive: boolean;
  severity: Severity;
  queues: string[];
  reasons: string[];
  last_heartbeat_age_s: number | null;
  tasks: TaskOutcomes | null;
  failure_rate: number | null;
}

export interface WatchQueue {
  name: string;
  messages: number;
  unacked: number;
  oldest_unacked_age_s: number | null;
  consumers: { compatible: number; incompatible: number; unresponsive: number };
  severity: Severity;
  problems: string[];
}

export interface WatchSnapshot {
  at: number;
  refresh: number;
  broker: string;
  server_version: string | null;
  listened_s: number;
  status: Severity;
  exit_code: number;
  workers: WatchWorker[];
  queues: WatchQueue[];
}

export interface Changes {
  appeared: string[];
  gone: string[];
  changed: { name: string; from: string; to: string }[];
  rising: { name: string; from: number; to: number }[];
  falling: { name: string; from: number; to: number }[];
}

export interface SnapshotIn {
  at: number;
  refresh: number;
  broker: string;
  serverVersion: string | null;
  listenedS: number;
  workers: Worker[];
  queues: QueueRow[];
  heartbeats: Map<string, HeartbeatFact>;
  tasks: Map<string, TaskOutcomes>;
}

export function watchSnapshot(i: SnapshotIn): WatchSnapshot {
  const workers = i.workers.filter((w) => !w.duplicate_of).map((w): WatchWorker => {
    const hb = i.heartbeats.get(w.name);
    return {
      name: w.name, state: w.verdict.state, status: w.status, version: w.version, responsive: w.responsive, severity: w.verdict.severity,
      queues: w.queues, reasons: w.verdict.reasons,
      last_heartbeat_age_s: hb ? Math.round(heartbeatAgeS(hb, i.at) * 10) / 10 : null,
      ...taskStats(i.tasks, w.name),
    };
  }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const queues = i.queues.map((q): WatchQueue => ({
    name: q.name, messages: q.messages, unacked: q.unacked, oldest_unacked_age_s: q.oldest_unacked_age_s,
    consumers: { compatible: q.consumers.compatible.length, incompatible: q.consumers.incompatible.length, unresponsive: q.consumers.unresponsive.length },
    severity: q.severity, problems: q.problems,
  }));
  const status = worst([...workers.map((w) => w.severity), ...queues.map((q) => q.severity)]);
  return {
    at: i.at, refresh: i.refresh, broker: i.broker, server_version: i.serverVersion, listened_s: Math.round(i.listenedS * 10) / 10,
    status, exit_code: exitCodeFor(status), workers, queues,
  };
}

/** A worker's "what it is" for change marks: its liveness state and its classification. */
const label = (w: WatchWorker) => `${w.state}/${w.status}`;

export function diffSnapshots(prev: WatchSnapshot | null, cur: WatchSnapshot): Changes {
  const none: Changes = { appeared: [], gone: [], changed: [], rising: [], falling: [] };
  if (!prev) return none;
  const before = new Map(prev.workers.map((w) => [w.name, w]));
  const now = new Map(cur.workers.map((w) => [w.name, w]));
  const queuesBefore = new Map(prev.queues.map((q) => [q.name, q.messages]));
  return {
    appeared: cur.workers.filter((w) => !before.has(w.name)).map((w) => w.name),
    gone: prev.workers.filter((w) => !now.has(w.name)).map((w) => w.name),
    changed: cur.workers.filter((w) => before.has(w.name) && label(before.get(w.name)!) !== label(w))
      .map((w) => ({ name: w.name, from: label(before.get(w.name)!), to: label(w) })),
    // A queue not seen before held nothing before.
    rising: cur.queues.filter((q) => (queuesBefore.get(q.name) ?? 0) < q.messages).map((q) => ({ name: q.name, from: queuesBefore.get(q.name) ?? 0, to: q.messages })),
    falling: cur.queues.filter((q) => (queuesBefore.get(q.name) ?? 0) > q.messages).map((q) => ({ name: q.name, from: queuesBefore.get(q.name)!, to: q.messages })),
  };
}
