// Worker heartbeats and task outcomes from the celeryev pub/sub stream: subscribe, listen a while
// (or stay subscribed), unsubscribe.
import type { Redis } from 'ioredis';
import { InterruptedError } from '../../../errors.js';
import { explain, type BrokerConnection } from './connect.js';
import type { EventSubscription, EventsResult } from '../client.js';
import { decodeEnvelope } from '../envelope.js';
import { eventTally } from '../tally.js';

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
  const tally = eventTally();
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
    sub.on('pmessage', (_pattern: string, _channel: string, raw: string) => tally.accept(decodeEnvelope(raw)));
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
      // Copies: the stream goes on counting while the caller reads.
      const r = tally.result(warnings);
      return { workers: new Map([...r.workers].map(([k, v]) => [k, { ...v }])), tasks: new Map([...r.tasks].map(([k, v]) => [k, { ...v }])), warnings: r.warnings };
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
