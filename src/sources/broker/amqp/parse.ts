// Pure readers of the management API's JSON: nothing here trusts its input or does I/O.
import { isInternalQueue } from '../internal.js';
import type { BrokerClientConn } from '../client.js';
import { isObject } from '../envelope.js';

export interface ApiQueue {
  name: string;
  consumers: number | null;
  unacked: number | null;
}

const PIDBOX = '.celery.pidbox';
const REPLY = '.reply.celery.pidbox';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** kombu's and Celery's own queues: mailboxes, reply queues, event receivers, rpc:// result queues. */
export function isInternalAmqpQueue(name: string): boolean {
  return isInternalQueue(name) || UUID.test(name);
}

export function parseQueues(data: unknown): { queues: ApiQueue[]; warnings: string[] } {
  if (!Array.isArray(data)) return { queues: [], warnings: ['management API: the queue list is not a JSON array; ignored'] };
  const queues: ApiQueue[] = [];
  let odd = 0;
  for (const q of data) {
    if (!isObject(q) || typeof q.name !== 'string') {
      odd++;
      continue;
    }
    queues.push({ name: q.name, consumers: count(q.consumers), unacked: count(q.messages_unacknowledged) });
  }
  return { queues, warnings: odd ? [`management API: skipped ${odd} queue entr${odd === 1 ? 'y' : 'ies'} without a name`] : [] };
}

/** `<name>.celery.pidbox` queues (not reply queues) → worker names with their consumer counts. */
export function rosterFrom(queues: ApiQueue[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const q of queues) {
    if (!q.name.endsWith(PIDBOX) || q.name.endsWith(REPLY) || q.name.length === PIDBOX.length) continue;
    out.set(q.name.slice(0, -PIDBOX.length), q.consumers);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function versionFrom(overview: unknown): string | null {
  if (!isObject(overview)) return null;
  const v = overview.rabbitmq_version ?? overview.product_version;
  return typeof v === 'string' && v ? v : null;
}

/** Node alarms as sentences: a raised alarm blocks every publisher on the cluster. */
export function alarmsFrom(nodes: unknown): string[] {
  if (!Array.isArray(nodes)) return [];
  const out: string[] = [];
  for (const n of nodes) {
    if (!isObject(n)) continue;
    const name = typeof n.name === 'string' ? n.name : 'a node';
    if (n.mem_alarm === true) out.push(`node ${name}: memory alarm raised (memory use above the high watermark); publishers are blocked`);
    if (n.disk_free_alarm === true) out.push(`node ${name}: disk alarm raised (free disk below the limit); publishers are blocked`);
    if (n.running === false) out.push(`node ${name} is not running`);
  }
  return out;
}

/** /api/connections plus /api/consumers → who is connected, with each connection's consumer count. */
export function clientsFrom(connections: unknown, consumers: unknown): BrokerClientConn[] {
  const perConn = new Map<string, number>();
  if (Array.isArray(consumers)) {
    for (const c of consumers) {
      const name = isObject(c) && isObject(c.channel_details) ? c.channel_details.connection_name : undefined;
      if (typeof name === 'string') perConn.set(name, (perConn.get(name) ?? 0) + 1);
    }
  }
  if (!Array.isArray(connections)) return [];
  const out: BrokerClientConn[] = [];
  for (const c of connections) {
    if (!isObject(c) || typeof c.peer_host !== 'string' || count(c.peer_port) === null) continue;
    const props = isObject(c.client_properties) ? c.client_properties : {};
    out.push({
      addr: hostPort(c.peer_host, count(c.peer_port)!),
      laddr: typeof c.host === 'string' && count(c.port) !== null ? hostPort(c.host, count(c.port)!) : null,
      db: null,
      vhost: typeof c.vhost === 'string' ? c.vhost : null,
      subscriptions: typeof c.name === 'string' ? (perConn.get(c.name) ?? 0) : 0,
      idle_s: null,
      name: typeof props.connection_name === 'string' ? props.connection_name : null,
    });
  }
  return out;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}
