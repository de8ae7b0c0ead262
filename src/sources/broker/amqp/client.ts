// RabbitMQ behind the BrokerClient interface: AMQP for remote control, events and depths; the
// management HTTP API for what AMQP cannot tell (roster, queue names, unacked, connections).
import type { BrokerClient } from '../client.js';
import type { BrokerTarget } from '../url.js';
import { connectAmqp, type AmqpConnection } from './connect.js';
import { listenAmqp } from './events.js';
import { readAmqpClients, readAmqpInfo } from './info.js';
import { managementApi, type ManagementApi } from './mgmt.js';
import { broadcast, publishControl } from './pidbox.js';
import { amqpQueueNames, readAmqpQueues } from './queues.js';
import { gatherAmqpWorkers } from './workers.js';

export async function openAmqp(target: BrokerTarget, timeoutMs: number): Promise<BrokerClient> {
  const conn = await connectAmqp(target, timeoutMs);
  return amqpClient(conn, managementApi(target, timeoutMs));
}

export function amqpClient(conn: AmqpConnection, api: ManagementApi): BrokerClient {
  return {
    target: conn.target,
    kind: 'amqp',
    display: conn.target.display,
    endpoint: conn.endpoint,
    workers: (q) => gatherAmqpWorkers(conn, api, q),
    listen: (o) => listenAmqp(conn, o),
    queueNames: () => amqpQueueNames(api),
    // `held` serves Redis, where unacked entries are matched to workers by task id; RabbitMQ
    // tracks unacked messages per consumer channel itself.
    readQueues: (names) => readAmqpQueues(conn, api, names),
    info: () => readAmqpInfo(conn, api),
    clients: () => readAmqpClients(api),
    shutdown: (names) => publishControl(conn, 'shutdown', names),
    answering: async (name, timeoutMs) => {
      const r = await broadcast(conn, ['ping'], { destination: [name], timeoutMs });
      return r.replies.get('ping')!.has(name);
    },
    // Nothing to remove: a dead worker's pidbox queue is auto-delete, and goes with its consumer.
    removeGhost: async () => undefined,
    close: () => conn.close(),
  };
}
