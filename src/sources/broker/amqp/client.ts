// RabbitMQ behind the BrokerClient interface: AMQP for remote control, events and depths; the
// management HTTP API for what AMQP cannot tell (roster, queue names, unacked, connections).
import type { BrokerClient } from '../client.js';
import type { BrokerTarget } from '../url.js';
import { connectAmqp, type AmqpConnection } from './connect.js';
import { bounded } from './explain.js';
import { listenAmqp } from './events.js';
import { readAmqpClients, readAmqpInfo } from './info.js';
import { managementApi, type ManagementApi } from './mgmt.js';
import { broadcast, publishControl } from './pidbox.js';
import { amqpQueueNames, readAmqpQueues } from './queues.js';
import { gatherAmqpWorkers } from './workers.js';

export async function openAmqp(target: BrokerTarget, timeoutMs: number): Promise<BrokerClient> {
  const conn = await connectAmqp(target, timeoutMs);
  return amqpClient(conn, managementApi(target, timeoutMs), timeoutMs);
}

export function amqpClient(conn: AmqpConnection, api: ManagementApi, timeoutMs: number): BrokerClient {
  // Each call gets its own time budget plus the broker timeout for setting up and cleaning up.
  const slack = Math.max(timeoutMs, 250) * 2;
  const within = <T>(ms: number, p: Promise<T>) => bounded(conn.target, ms + slack, p);
  return {
    target: conn.target,
    kind: 'amqp',
    display: conn.target.display,
    endpoint: conn.endpoint,
    workers: (q) => within(q.timeoutMs, gatherAmqpWorkers(conn, api, q)),
    listen: (o) => within(o.seconds * 1000, listenAmqp(conn, o)),
    queueNames: () => within(0, amqpQueueNames(api)),
    // `held` serves Redis, where unacked entries are matched to workers by task id; RabbitMQ
    // tracks unacked messages per consumer channel itself.
    readQueues: (names) => within(names.length * 2, readAmqpQueues(conn, api, names)),
    info: () => within(0, readAmqpInfo(conn, api)),
    clients: () => within(0, readAmqpClients(api)),
    shutdown: (names) => within(0, publishControl(conn, 'shutdown', names)),
    answering: async (name, ms) => {
      const r = await within(ms, broadcast(conn, ['ping'], { destination: [name], timeoutMs: ms }));
      return r.replies.get('ping')!.has(name);
    },
    // Nothing to remove: a dead worker's pidbox queue is auto-delete, and goes with its consumer.
    removeGhost: async () => undefined,
    close: () => conn.close(),
  };
}
