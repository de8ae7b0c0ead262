// RabbitMQ itself, for `diagnose`: round trip, version, node alarms; and who is connected.
import type { BrokerInfo, ClientsResult } from '../client.js';
import type { AmqpConnection } from './connect.js';
import type { ManagementApi } from './mgmt.js';
import { alarmsFrom, clientsFrom, versionFrom } from './parse.js';

export async function readAmqpInfo(conn: AmqpConnection, api: ManagementApi): Promise<BrokerInfo> {
  const [latency, overview, nodes] = await Promise.all([
    roundTrip(conn),
    api.get('/api/overview?columns=rabbitmq_version,product_version'),
    api.get('/api/nodes?columns=name,mem_alarm,disk_free_alarm,running'),
  ]);
  return {
    kind: 'rabbitmq',
    latency_ms: Math.round(latency * 100) / 100,
    version: (overview.ok ? versionFrom(overview.data) : null) ?? conn.serverVersion,
    used_memory: null,
    maxmemory: null,
    maxmemory_policy: null,
    rejected_connections: null,
    evicted_keys: null,
    alarms: nodes.ok ? alarmsFrom(nodes.data) : [],
  };
}

/** One passive exchange.declare of amq.direct, which every vhost has: a full broker round trip. */
async function roundTrip(conn: AmqpConnection): Promise<number> {
  const ch = await conn.channel();
  try {
    const t0 = performance.now();
    await ch.checkExchange('amq.direct');
    return performance.now() - t0;
  } finally {
    await ch.close().catch(() => undefined);
  }
}

export async function readAmqpClients(api: ManagementApi): Promise<ClientsResult> {
  const cols = 'name,peer_host,peer_port,host,port,vhost,client_properties';
  const [connections, consumers] = await Promise.all([
    api.get(`/api/connections?columns=${cols}`),
    api.get(`/api/consumers/${api.vhostPath}`),
  ]);
  if (!connections.ok) return { ok: false, error: connections.why, clients: [] };
  return { ok: true, error: null, clients: clientsFrom(connections.data, consumers.ok ? consumers.data : []) };
}
