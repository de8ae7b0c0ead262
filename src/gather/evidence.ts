// One gather for every command: the fleet, heartbeats, queues and the broker's own state, each read
// once and side by side; then the model's verdicts.
import type { HeartbeatFact, TaskOutcomes } from '../model/verdict/evidence.js';
import type { Fleet } from '../model/verdict/fleet.js';
import type { QueueFacts } from '../model/queues.js';
import type { BrokerClient, BrokerInfo, EventsResult } from '../sources/broker/client.js';
import { isInternalQueue } from '../sources/broker/internal.js';
import { gatherRaw, judgeFleet, ourBroker, type Gathered } from './fleet.js';
import type { GatherContext, GatherSettings } from './types.js';

export interface Want {
  /** Listen to heartbeats this long (0: not at all). */
  listenS?: number;
  /** Events heard on a kept-open stream; listenS then says how long it has been open. */
  heard?: EventsResult;
  /** Read queue depths and unacked entries. */
  queues?: boolean;
  extraQueues?: string[];
  info?: boolean;
  /** Ask workers what they hold (active/reserved/scheduled): needed to attribute unacked tasks. */
  tasks?: boolean;
  visibilityTimeoutS?: number;
}

export interface Evidence {
  fleet: Fleet;
  gathered: Gathered;
  heartbeats: Map<string, HeartbeatFact>;
  tasks: Map<string, TaskOutcomes>;
  queues: QueueFacts[];
  info: BrokerInfo | null;
}

/** `broker` null: it could not be opened; the other sources still speak. */
export async function gatherEvidence(ctx: GatherContext, settings: GatherSettings, broker: BrokerClient | null, want: Want): Promise<Evidence> {
  const tasks = want.tasks ?? Boolean(want.queues || want.listenS);
  const [g, names, info] = await Promise.all([
    gatherRaw(ctx, settings, broker, { tasks, listenS: want.listenS, heard: want.heard }),
    broker && (want.queues || want.listenS) ? broker.queueNames() : null,
    broker && want.info ? broker.info() : null,
  ]);
  for (const w of names?.warnings ?? []) ctx.warn(w);
  const held = new Set((g.replies?.workers ?? []).filter((w) => w.responsive).flatMap((w) => g.replies?.heldTasks.get(w.name) ?? []));
  const all = [
    ...(names?.names ?? []), ...(g.replies?.workers ?? []).flatMap((w) => w.queues ?? []),
    // A silent worker's own command line is the best word on what it consumes.
    ...g.hosts.flatMap((h) => h.processes.flatMap((p) => p.queues ?? [])),
    ...g.engines.flatMap((e) => e.containers.flatMap((c) => c.queues ?? [])),
    ...(want.extraQueues ?? []),
  ];
  const queueList = broker && names ? queueNames(ctx, all) : [];
  const read = broker && queueList.length ? await broker.readQueues(queueList, held) : { queues: [], warnings: [] };
  for (const w of read.warnings) ctx.warn(w);
  const orphans = new Map(read.queues.map((q) => [q.name, { count: q.orphaned, oldestAt: q.oldestOrphanAt }]));
  const fleet = judgeFleet(ctx, settings, ourBroker(settings, broker), g, { listenS: want.listenS, visibilityTimeoutS: want.visibilityTimeoutS, orphans });
  return {
    fleet,
    gathered: g,
    heartbeats: g.events?.workers ?? new Map(),
    tasks: g.events?.tasks ?? new Map(),
    queues: want.queues ? read.queues : [],
    info,
  };
}

function queueNames(ctx: GatherContext, all: string[]): string[] {
  return [...new Set(all)].filter((q) => {
    if (isInternalQueue(q)) return false;
    // Names that arrived with bytes that are not UTF-8 cannot be addressed exactly: say so, skip.
    if (!q.includes('\uFFFD')) return true;
    ctx.warn(`queue ${JSON.stringify(q)} has a name that is not valid UTF-8; skipped`);
    return false;
  }).sort();
}
