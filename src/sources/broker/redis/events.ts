// Worker heartbeats and task outcomes from the celeryev pub/sub stream: subscribe, listen a while
// (or stay subscribed), unsubscribe.
import type { Redis } from 'ioredis';
import { InterruptedError } from '../../../errors.js';
import { explain, type BrokerConnection } from './connect.js';
import type { EventSubscription, EventsResult, Heartbeat, TaskCounts } from '../client.js';
import { decodeEnvelope, isObject } from '../envelope.js';

const KEPT = new Set(['worker-heartbeat', 'worker-online', 'worker-offline']);
const OUTCOMES: Record<string, keyof TaskCounts> = {
  'task-succeeded': 'succeeded', 'task-failed': 'failed', 'task-retried': 'retried', 'task-rejected': 'rejected',
};
// A hostile stream must not grow memory without bound.
const MAX_WORKERS = 100_000;

export async function listenHeartbeats(
  conn: BrokerConnection,
  opts: { seconds: number; signal?: AbortSignal },
): Promise<EventsResult> {
  if (opts.signal?.aborted) throw new InterruptedError();
  const sub = await subscribeEvents(conn);
  let timer: NodeJS.Timeout | undefined;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  opts.signal?.addEventListener('abort', stop);
  sub.onEnd(stop);
  try {
    // The window starts once we are subscribed: pub/sub keeps no backlog.
    timer = setTimeout(stop, Math.max(0, opts.seconds * 1000));
    if (opts.signal?.aborted) stop();
    await stopped;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', stop);
    await sub.close();
  }
  if (opts.signal?.aborted) throw new InterruptedError();
  return sub.snapshot();
}

/** A subscription that stays open: watch and metrics --listen read it at every refresh. */
export async function subscribeEvents(conn: BrokerConnection): Promise<EventSubscription & { onEnd(f: () => void): void }> {
  const workers = new Map<string, Heartbeat>();
  const tasks = new Map<string, TaskCounts>();
  const unreadable = new Map<string, number>();
  const warnings: string[] = [];
  const timeoutMs = conn.cmd.options.connectTimeout ?? 1000;
  // A subscribed connection can do nothing else, so the stream gets one of its own.
  const sub: Redis = conn.cmd.duplicate({ connectionName: 'fleetdoc-events', lazyConnect: true });
  let lastError: Error | null = null;
  sub.on('error', (err: Error) => { lastError = err; });
  const ended: (() => void)[] = [];
  const onEnd = () => {
    warnings.push('the broker closed the event stream');
    for (const f of ended) f();
  };
  // Setting up is bounded like every other broker call; a TLS handshake could otherwise hang.
  const guard = setTimeout(() => { lastError = new Error('ETIMEDOUT'); sub.disconnect(); }, Math.max(timeoutMs, 250));
  try {
    await sub.connect();
    sub.on('pmessage', (_pattern: string, _channel: string, raw: string) => accept(raw, workers, tasks, unreadable));
    sub.once('end', onEnd);
    await sub.psubscribe(...channelPatterns(conn));
  } catch (err) {
    sub.disconnect();
    throw explain(lastError ?? (err as Error), conn.target, timeoutMs);
  } finally {
    clearTimeout(guard);
  }
  const since = Date.now() / 1000;
  let closed = false;
  return {
    since,
    onEnd: (f) => void ended.push(f),
    snapshot: () => {
      const w = [...warnings];
      if (unreadable.size) w.unshift(unreadableLine(unreadable));
      if (workers.size >= MAX_WORKERS) w.push(`stopped tracking new workers after ${MAX_WORKERS}`);
      return { workers: new Map([...workers].map(([k, v]) => [k, { ...v }])), tasks: new Map([...tasks].map(([k, v]) => [k, { ...v }])), warnings: w };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      sub.off('end', onEnd);
      sub.removeAllListeners('pmessage');
      if (sub.status === 'ready') {
        await sub.punsubscribe().catch(() => undefined);
        await sub.quit().catch(() => sub.disconnect());
      } else {
        sub.disconnect();
      }
    },
  };
}

/**
 * `<prefix>/<db>.celeryev/*` and the literal `<prefix>/{db}.celeryev/*` of kombu 5.2 behind a Sentinel,
 * with glob characters in the prefix taken literally (braces are not special to Redis).
 */
export function channelPatterns(conn: BrokerConnection): string[] {
  const prefix = conn.key('').replace(/[\\*?[\]]/g, (c) => `\\${c}`);
  return [`${prefix}/${conn.target.db}.celeryev/*`, `${prefix}/{db}.celeryev/*`];
}

function accept(raw: string, workers: Map<string, Heartbeat>, tasks: Map<string, TaskCounts>, unreadable: Map<string, number>): void {
  const decoded = decodeEnvelope(raw);
  if (!decoded.ok) {
    unreadable.set(decoded.why, (unreadable.get(decoded.why) ?? 0) + 1);
    return;
  }
  // task.multi batches events in a JSON array; everything else is one event.
  const body = decoded.msg.body;
  const events = Array.isArray(body) ? body : [body];
  const now = Date.now() / 1000;
  for (const ev of events) {
    if (!isObject(ev)) {
      unreadable.set('event is not a JSON object', (unreadable.get('event is not a JSON object') ?? 0) + 1);
      continue;
    }
    const outcome = typeof ev.type === 'string' ? OUTCOMES[ev.type] : undefined;
    if (outcome && typeof ev.hostname === 'string' && ev.hostname) {
      countTask(tasks, ev.hostname, outcome);
      continue;
    }
    if (typeof ev.type !== 'string' || !KEPT.has(ev.type)) continue;
    if (typeof ev.hostname !== 'string' || !ev.hostname) {
      unreadable.set('worker event without a hostname', (unreadable.get('worker event without a hostname') ?? 0) + 1);
      continue;
    }
    record(workers, ev, ev.hostname, ev.type, now);
  }
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
