// One event stream kept open across refreshes (watch, metrics --listen). A broker kind that cannot
// stay subscribed is read with a listen window per refresh, merged into what was heard before.
import type { BrokerClient, EventsResult, EventSubscription } from '../sources/broker/client.js';

export interface EventStream {
  /** What was heard so far, and for how long the stream has been listened to. */
  read(windowS: number, signal?: AbortSignal): Promise<{ events: EventsResult; listenedS: number }>;
  close(): Promise<void>;
}

export async function openEventStream(broker: BrokerClient, now: () => number): Promise<EventStream> {
  if (broker.subscribe) {
    const sub: EventSubscription = await broker.subscribe();
    return {
      read: async () => ({ events: sub.snapshot(), listenedS: Math.max(0, now() / 1000 - sub.since) }),
      close: () => sub.close(),
    };
  }
  const heard: EventsResult = { workers: new Map(), tasks: new Map(), warnings: [] };
  let listenedS = 0;
  return {
    read: async (windowS, signal) => {
      const got = await broker.listen({ seconds: windowS, signal });
      merge(heard, got);
      listenedS += windowS;
      return { events: { ...heard, warnings: got.warnings }, listenedS };
    },
    close: async () => undefined,
  };
}

function merge(into: EventsResult, got: EventsResult): void {
  for (const [name, hb] of got.workers) {
    const old = into.workers.get(name);
    if (!old || hb.last_heartbeat_at >= old.last_heartbeat_at) into.workers.set(name, { ...hb, count: hb.count + (old?.count ?? 0) });
  }
  for (const [name, t] of got.tasks) {
    const old = into.tasks.get(name) ?? { succeeded: 0, failed: 0, retried: 0, rejected: 0 };
    into.tasks.set(name, { succeeded: old.succeeded + t.succeeded, failed: old.failed + t.failed, retried: old.retried + t.retried, rejected: old.rejected + t.rejected });
  }
}
