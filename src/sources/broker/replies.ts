// Remote-control replies (stats, active_queues, active/reserved/scheduled) into plain records.
// Pure: the same JSON comes back over Redis and AMQP.
import type { BrokerWorker } from '../../model/types.js';
import { isObject, type DecodeResult } from './envelope.js';

/** Extra methods asked with `tasks: true`, to tell whose unacked tasks are whose. */
export const TASK_METHODS = ['active', 'reserved', 'scheduled'];

export function toWorker(name: string, inRoster: boolean, responsive: boolean, stats: unknown, aq: unknown): BrokerWorker {
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

/** Every name in the roster or in any reply, sorted, each as a BrokerWorker. */
export function workersFrom(roster: string[], replies: Map<string, Map<string, unknown>>): BrokerWorker[] {
  const ping = replies.get('ping') ?? new Map();
  const stats = replies.get('stats') ?? new Map();
  const queues = replies.get('active_queues') ?? new Map();
  const inRoster = new Set(roster);
  const names = new Set([...roster, ...ping.keys(), ...stats.keys(), ...queues.keys()]);
  return [...names].sort().map((name) =>
    toWorker(name, inRoster.has(name), ping.has(name) || stats.has(name) || queues.has(name), stats.get(name), queues.get(name)),
  );
}

export function heldTasks(replies: Map<string, unknown>[]): Map<string, string[]> {
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

/**
 * One decoded reply into `replies` (method → worker name → result), by its ticket: another client's
 * ticket is ignored, and what cannot be read becomes a warning. The same for Redis and AMQP.
 */
export function acceptReply(
  decoded: DecodeResult,
  tickets: Map<string, string>,
  replies: Map<string, Map<string, unknown>>,
  warn: (m: string) => void,
): void {
  if (!decoded.ok) return warn(`skipped a reply that could not be read: ${decoded.why}`);
  const method = tickets.get(String(decoded.msg.headers.ticket));
  if (!method) return; // someone else's ticket
  const body = decoded.msg.body;
  if (!isObject(body)) return warn(`skipped a ${method} reply whose body is not an object`);
  for (const [name, value] of Object.entries(body)) replies.get(method)!.set(name, value);
}

/** Has every expected name answered every method, and at least `atLeast` names each? */
export function allAnswered(replies: Map<string, Map<string, unknown>>, expect: string[], atLeast = 0): boolean {
  for (const byName of replies.values()) {
    if (byName.size < atLeast) return false;
    for (const name of expect) if (!byName.has(name)) return false;
  }
  return true;
}

function int(v: unknown): number | null {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : v == null ? null : String(v);
}
