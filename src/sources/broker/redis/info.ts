// Redis itself, for `diagnose`: round trip, version, memory against maxmemory, eviction, rejections.
import type { BrokerInfo } from '../client.js';
import type { BrokerConnection } from './connect.js';

export async function readBrokerInfo(conn: BrokerConnection): Promise<BrokerInfo> {
  const t0 = performance.now();
  await conn.cmd.ping();
  const latency = performance.now() - t0;
  // INFO may be renamed away on managed Redis; what it cannot tell stays null.
  const text = await conn.cmd.info().catch(() => '');
  const f = parseInfo(text);
  const num = (k: string) => (f[k] === undefined || f[k] === '' || !Number.isFinite(Number(f[k])) ? null : Number(f[k]));
  return {
    kind: 'redis',
    latency_ms: Math.round(latency * 100) / 100,
    version: f.redis_version ?? null,
    used_memory: num('used_memory'),
    maxmemory: num('maxmemory'),
    maxmemory_policy: f.maxmemory_policy ?? null,
    rejected_connections: num('rejected_connections'),
    evicted_keys: num('evicted_keys'),
    alarms: [],
  };
}

export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}
