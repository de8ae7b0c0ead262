// Celery events (worker heartbeats, task outcomes) counted into an EventsResult, whatever the
// transport. Pure and bounded: a hostile stream can neither crash it nor grow it without end.
import type { EventsResult, Heartbeat, TaskCounts } from './client.js';
import { isObject, type DecodeResult } from './envelope.js';

const KEPT = new Set(['worker-heartbeat', 'worker-online', 'worker-offline']);
const OUTCOMES: Record<string, keyof TaskCounts> = {
  'task-succeeded': 'succeeded', 'task-failed': 'failed', 'task-retried': 'retried', 'task-rejected': 'rejected',
};
export const MAX_WORKERS = 100_000;
const MAX_REASONS = 20;

export interface EventTally {
  /** One decoded message body: an event, or a task.multi array of events. */
  add(body: unknown, now?: number): void;
  /** A message that could not be decoded, and why. */
  skip(why: string): void;
  /** A message as a transport decoded it: added, or skipped with the reason it could not be read. */
  accept(decoded: DecodeResult): void;
  result(warnings: string[]): EventsResult;
}

export function eventTally(): EventTally {
  const workers = new Map<string, Heartbeat>();
  const tasks = new Map<string, TaskCounts>();
  const unreadable = new Map<string, number>();
  const skip = (why: string) => {
    if (unreadable.size < MAX_REASONS || unreadable.has(why)) unreadable.set(why, (unreadable.get(why) ?? 0) + 1);
  };
  const tally: EventTally = {
    skip,
    accept: (decoded) => (decoded.ok ? tally.add(decoded.msg.body) : skip(decoded.why)),
    add(body, now = Date.now() / 1000) {
      for (const ev of Array.isArray(body) ? body : [body]) {
        if (!isObject(ev)) {
          skip('event is not a JSON object');
          continue;
        }
        const outcome = typeof ev.type === 'string' ? OUTCOMES[ev.type] : undefined;
        if (outcome && typeof ev.hostname === 'string' && ev.hostname) {
          countTask(tasks, ev.hostname, outcome);
          continue;
        }
        if (typeof ev.type !== 'string' || !KEPT.has(ev.type)) continue;
        if (typeof ev.hostname !== 'string' || !ev.hostname) {
          skip('worker event without a hostname');
          continue;
        }
        record(workers, ev, ev.hostname, ev.type, now);
      }
    },
    result(warnings) {
      const out = [...warnings];
      if (unreadable.size) out.unshift(unreadableLine(unreadable));
      if (workers.size >= MAX_WORKERS) out.push(`stopped tracking new workers after ${MAX_WORKERS}`);
      return { workers, tasks, warnings: out };
    },
  };
  return tally;
}

function record(workers: Map<string, Heartbeat>, ev: Record<string, unknown>, name: string, type: string, now: number): void {
  let hb = workers.get(name);
  if (!hb) {
    if (workers.size >= MAX_WORKERS) return;
    hb = { hostname: name, last_heartbeat_at: 0, received_at: now, freq: null, active: null, processed: null, loadavg: null, sw_ver: null, offline: false, count: 0 };
    workers.set(name, hb);
  }
  const at = num(ev.timestamp) ?? now;
  hb.count++;
  // Events can arrive out of order across channels; the newest one describes the worker.
  if (at < hb.last_heartbeat_at) return;
  hb.last_heartbeat_at = at;
  hb.received_at = now;
  hb.offline = type === 'worker-offline';
  hb.freq = num(ev.freq) ?? hb.freq;
  hb.active = num(ev.active) ?? hb.active;
  hb.processed = num(ev.processed) ?? hb.processed;
  const load = Array.isArray(ev.loadavg) ? ev.loadavg.map(num) : null;
  if (load && load.every((n) => n !== null)) hb.loadavg = load as number[];
  if (typeof ev.sw_ver === 'string') hb.sw_ver = ev.sw_ver;
}

function countTask(tasks: Map<string, TaskCounts>, name: string, outcome: keyof TaskCounts): void {
  let t = tasks.get(name);
  if (!t) {
    if (tasks.size >= MAX_WORKERS) return;
    t = { succeeded: 0, failed: 0, retried: 0, rejected: 0 };
    tasks.set(name, t);
  }
  t[outcome]++;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function unreadableLine(reasons: Map<string, number>): string {
  const total = [...reasons.values()].reduce((a, b) => a + b, 0);
  const why = [...reasons].map(([r, n]) => `${r} (${n})`).join(', ');
  return `skipped ${total} unreadable event message${total === 1 ? '' : 's'}: ${why}`;
}
