// Ask the broker who is out there: roster + ping, stats and active_queues in one round.
import type { BrokerWorker } from '../../../model/types.js';
import type { BrokerWorkersResult, WorkersQuery } from '../client.js';
import type { BrokerConnection } from './connect.js';
import { isObject } from '../envelope.js';
import { broadcast } from './pidbox.js';
import { readRoster } from './roster.js';

const TASK_METHODS = ['active', 'reserved', 'scheduled'];

export async function gatherBrokerWorkers(
  conn: BrokerConnection,
  opts: WorkersQuery,
): Promise<BrokerWorkersResult> {
  // The roster is read while the broadcast goes out: one round trip, not two. broadcast() awaits
  // it (and cleans up after itself if it fails) before this function reads it.
  const reading = readRoster(conn);
  const methods = ['ping', 'stats', 'active_queues', ...(opts.tasks ? TASK_METHODS : [])];
  const res = await broadcast(conn, methods.map((method) => ({ method })), {
    timeoutMs: opts.timeoutMs,
    destination: opts.destination,
    expect: reading.then((r) => r.names),
    signal: opts.signal,
  });
  const roster = await reading;
  const ping = res.replies.get('ping')!;
  const stats = res.replies.get('stats')!;
  const queues = res.replies.get('active_queues')!;
  const inRoster = new Set(roster.names);
  const names = new Set([...roster.names, ...ping.keys(), ...stats.keys(), ...queues.keys()]);
  const workers = [...names].sort().map((name) =>
    toWorker(name, inRoster.has(name), ping.has(name) || stats.has(name) || queues.has(name), stats.get(name), queues.get(name)),
  );
  const wanted = opts.destination?.length ? new Set(opts.destination) : null;
  return {
    workers: wanted ? workers.filter((w) => wanted.has(w.name)) : workers,
    roster: roster.names,
    heldTasks: heldTasks(opts.tasks ? TASK_METHODS.map((m) => res.replies.get(m)!) : []),
    reached: res.reached,
    warnings: [...roster.warnings, ...res.warnings],
  };
}

function toWorker(name: string, inRoster: boolean, responsive: boolean, stats: unknown, aq: unknown): BrokerWorker {
  const s = isObject(stats) ? stats : {};
  const pool = isObject(s.pool) ? s.pool : {};
  const broker = isObject(s.broker) ? s.broker : null;
  return {
    name,
    responsive,
    in_roster: inRoster,
    pid: int(s.pid),
    concurrency: int(pool['max-concurrency']),
    uptime_s: int(s.uptime),
    children: Array.isArray(pool.processes) ? pool.processes.map(int).filter((p): p is number => p !== null) : [],
    queues: Array.isArray(aq)
      ? aq.map((q) => (isObject(q) && typeof q.name === 'string' ? q.name : null)).filter((q): q is string => q !== null)
      : null,
    broker: broker
      ? { hostname: str(broker.hostname), port: int(broker.port), virtual_host: str(broker.virtual_host) }
      : null,
  };
}

function heldTasks(replies: Map<string, unknown>[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const byWorker of replies) {
    for (const [name, tasks] of byWorker) {
      if (!Array.isArray(tasks)) continue;
      const ids = out.get(name) ?? [];
      for (const t of tasks) {
        // scheduled entries wrap the task in `request`.
        const req = isObject(t) && isObject(t.request) ? t.request : t;
        if (isObject(req) && typeof req.id === 'string') ids.push(req.id);
      }
      out.set(name, ids);
    }
  }
  return out;
}

function int(v: unknown): number | null {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : v == null ? null : String(v);
}
