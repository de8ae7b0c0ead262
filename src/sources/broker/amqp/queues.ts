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

async function passiveDepths(conn: AmqpConnection, names: string[]): Promise<Map<string, Depth>> {
  const out = new Map<string, Depth>();
  // A missing queue closes the channel (404): then carry on with a fresh one.
  let ch: Channel | null = null;
  try {
    for (const name of names) {
      ch ??= await conn.channel();
      try {
        const ok = await ch.checkQueue(name);
        out.set(name, { messages: ok.messageCount, consumers: ok.consumerCount, problems: [] });
      } catch (err) {
        const code = (err as { code?: number }).code;
        const why = code === 404 ? 'no such queue' : code === 405 ? 'queue is exclusive to another connection' : `could not read it: ${String((err as Error).message).split('\n')[0]}`;
        out.set(name, { messages: 0, consumers: null, problems: [why] });
        ch = null;
      }
    }
  } finally {
    await (ch as Channel | null)?.close().catch(() => undefined);
  }
  return out;
}
