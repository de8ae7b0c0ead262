// CLIENT LIST: who is connected, to which db, subscribed or not, idle how long. Read-only.
import type { BrokerClientConn, ClientsResult } from '../client.js';
import type { BrokerConnection } from './connect.js';

export async function readClients(conn: BrokerConnection): Promise<ClientsResult> {
  let text: string;
  try {
    text = String(await conn.cmd.call('CLIENT', 'LIST'));
  } catch (err) {
    // Managed Redis may rename CLIENT away: then who is connected is unknown, not "nobody".
    return { ok: false, error: String((err as Error)?.message ?? err).split('\n')[0], clients: [] };
  }
  return { ok: true, error: null, clients: parseClientList(text) };
}

/** `id=3 addr=127.0.0.1:5000 laddr=127.0.0.1:6379 fd=8 name= age=2 idle=0 flags=N db=0 sub=0 psub=1 …` per line. */
export function parseClientList(text: string): BrokerClientConn[] {
  const out: BrokerClientConn[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const f = new Map<string, string>();
    for (const pair of line.trim().split(' ')) {
      const i = pair.indexOf('=');
      if (i > 0) f.set(pair.slice(0, i), pair.slice(i + 1));
    }
    const addr = f.get('addr');
    if (!addr) continue;
    const n = (k: string) => (f.has(k) && /^\d+$/.test(f.get(k)!) ? Number(f.get(k)) : null);
    out.push({
      addr,
      laddr: f.get('laddr') || null,
      db: n('db'),
      vhost: null,
      subscriptions: (n('sub') ?? 0) + (n('psub') ?? 0) + (n('ssub') ?? 0),
      idle_s: n('idle'),
      name: f.get('name') || null,
    });
  }
  return out;
}
