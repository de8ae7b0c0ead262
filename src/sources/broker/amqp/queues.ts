// Task queues on RabbitMQ: names and unacked counts from the management API, depth and consumer
// count from a passive queue.declare. Never basic.get, never ack, never purge.
import type { Channel } from 'amqplib';
import type { QueueRead, QueuesResult } from '../client.js';
import type { AmqpConnection } from './connect.js';
import type { ManagementApi } from './mgmt.js';
import { isInternalAmqpQueue, parseQueues } from './parse.js';

export async function amqpQueueNames(api: ManagementApi): Promise<{ names: string[]; warnings: string[] }> {
  const res = await api.get(`/api/queues/${api.vhostPath}?columns=name`);
  if (!res.ok) return { names: [], warnings: [`queue names unknown (give them with --queue): ${res.why}`] };
  const parsed = parseQueues(res.data);
  return { names: parsed.queues.map((q) => q.name).filter((n) => !isInternalAmqpQueue(n)).sort(), warnings: parsed.warnings };
}

export async function readAmqpQueues(conn: AmqpConnection, api: ManagementApi, names: string[]): Promise<QueuesResult> {
  const [depths, unacked] = await Promise.all([passiveDepths(conn, names), api.get(`/api/queues/${api.vhostPath}?columns=name,messages_unacknowledged`)]);
  const warnings: string[] = [];
  const byName = new Map<string, number | null>();
  if (unacked.ok) for (const q of parseQueues(unacked.data).queues) byName.set(q.name, q.unacked);
  else warnings.push(`unacked counts unknown: ${unacked.why}`);
  const queues: QueueRead[] = names.map((name) => {
    const d = depths.get(name)!;
    return {
      name, messages: d.messages, unacked: byName.get(name) ?? 0, oldestUnackedAt: null,
      // RabbitMQ requeues a dead consumer's unacked messages itself: none are ever orphaned here.
      orphaned: 0, oldestOrphanAt: null, consumers: d.consumers, readProblems: d.problems,
    };
  });
  return { queues, warnings };
}

interface Depth { messages: number; consumers: number | null; problems: string[] }

// A few channels side by side: each passive declare is one round trip.
const LANES = 4;

async function passiveDepths(conn: AmqpConnection, names: string[]): Promise<Map<string, Depth>> {
  const out = new Map<string, Depth>();
  const unique = [...new Set(names)];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(LANES, unique.length) }, async () => {
    // A missing queue closes the channel (404): then carry on with a fresh one.
    let ch: Channel | null = null;
    try {
      while (next < unique.length) {
        const name = unique[next++];
        ch ??= await conn.channel();
        try {
          const ok = await ch.checkQueue(name);
          out.set(name, { messages: ok.messageCount, consumers: ok.consumerCount, problems: [] });
        } catch (err) {
          out.set(name, { messages: 0, consumers: null, problems: [problem(err)] });
          ch = null;
        }
      }
    } finally {
      await (ch as Channel | null)?.close().catch(() => undefined);
    }
  }));
  return out;
}

function problem(err: unknown): string {
  const code = (err as { code?: number }).code;
  if (code === 404) return 'no such queue';
  if (code === 405) return 'queue is exclusive to another connection';
  if (code === 403) return 'access refused to this queue';
  return `could not read it: ${String((err as Error)?.message ?? err).split('\n')[0]}`;
}
