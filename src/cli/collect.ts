// One gather for queues, stale and diagnose: the fleet, heartbeats, bindings, depths, unacked and
// Redis's own state, each read once and side by side.
import type { QueueFacts } from '../model/queues.js';
import type { HeartbeatFact } from '../model/stalereport.js';
import type { BrokerConnection } from '../sources/broker/redis/connect.js';
import type { BrokerInfo } from '../sources/broker/client.js';
import type { UnackedResult } from '../sources/broker/redis/unacked.js';
import type { Context } from './context.js';
import { gatherFleet, type Fleet } from './fleet.js';
import type { Settings } from './settings.js';

export interface Want {
  /** Listen to heartbeats this long (0: not at all). */
  listenS?: number;
  /** Read queue depths and unacked entries. */
  queues?: boolean;
  extraQueues?: string[];
  info?: boolean;
}

export interface Collected {
  fleet: Fleet;
  heartbeats: Map<string, HeartbeatFact>;
  queues: QueueFacts[];
  /** Unacked tasks held by no responsive worker, per queue. */
  orphans: Map<string, { count: number; oldestAt: number | null }>;
  info: BrokerInfo | null;
}

export async function collect(ctx: Context, settings: Settings, conn: BrokerConnection, want: Want): Promise<Collected> {
  const [{ listenHeartbeats }, q, u, { readBrokerInfo }] = await Promise.all([
    import('../sources/broker/redis/events.js'), import('../sources/broker/redis/queues.js'),
    import('../sources/broker/redis/unacked.js'), import('../sources/broker/redis/info.js'),
  ]);
  // Listening starts first and runs while the other sources answer: the whole takes max(listen, gather).
  const [hb, fleet, bindings, info] = await Promise.all([
    want.listenS ? ctx.progress.track('heartbeats', listenHeartbeats(conn, { seconds: want.listenS, signal: ctx.signal })) : null,
    gatherFleet(ctx, settings, conn, { tasks: true }),
    q.readBindings(conn),
    want.info ? readBrokerInfo(conn) : null,
  ]);
  for (const w of [...(hb?.warnings ?? []), ...bindings.warnings]) ctx.warn(w);
  const held = new Set(fleet.workers.filter((w) => w.responsive).flatMap((w) => fleet.heldTasks.get(w.name) ?? []));
  const names = want.queues ? queueNames(ctx, [...bindings.queues, ...fleet.workers.flatMap((w) => w.queues), ...(want.extraQueues ?? [])], q.isInternalQueue) : [];
  const [depths, unacked] = await Promise.all([q.readDepths(conn, names), u.readUnacked(conn, bindings, held)]);
  for (const w of unacked.warnings) ctx.warn(w);
  return {
    fleet,
    heartbeats: hb?.workers ?? new Map(),
    queues: names.map((name) => queueFacts(name, depths.get(name), unacked)),
    orphans: new Map([...unacked.byQueue].map(([name, a]) => [name, { count: a.orphaned, oldestAt: a.oldestOrphanAt }])),
    info,
  };
}

function queueFacts(name: string, depth: { messages: number; warnings: string[] } | undefined, unacked: UnackedResult): QueueFacts {
  const a = unacked.byQueue.get(name);
  return {
    name,
    messages: depth?.messages ?? 0,
    unacked: a?.count ?? 0,
    oldestUnackedAt: a?.oldestAt ?? null,
    orphaned: a?.orphaned ?? 0,
    oldestOrphanAt: a?.oldestOrphanAt ?? null,
    readProblems: depth?.warnings ?? [],
  };
}

function queueNames(ctx: Context, all: string[], internal: (q: string) => boolean): string[] {
  return [...new Set(all)].filter((q) => {
    if (internal(q)) return false;
    // Names that arrived with bytes that are not UTF-8 cannot be addressed exactly: say so, skip.
    if (!q.includes('\uFFFD')) return true;
    ctx.warn(`queue ${JSON.stringify(q)} has a name that is not valid UTF-8; skipped`);
    return false;
  }).sort();
}
