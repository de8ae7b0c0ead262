// Task queues as kombu keeps them on Redis: bindings, list depths with priority sub-lists, unacked.
import { isInternalQueue } from '../internal.js';
import type { BrokerConnection } from './connect.js';
import { SEP } from './pidbox.js';

/** kombu's default priority steps: Q, Q\x06\x163, Q\x06\x166, Q\x06\x169. */
export const PRIORITY_SUFFIXES = ['', `${SEP}3`, `${SEP}6`, `${SEP}9`];
const INTERNAL_EXCHANGES = new Set(['celery.pidbox', 'reply.celery.pidbox', 'celeryev']);

export interface Bindings {
  /** Every queue named by a binding, internal ones left out. */
  queues: Set<string>;
  /** exchange → routing key → queues, to attribute unacked entries. */
  routes: Map<string, Map<string, Set<string>>>;
  warnings: string[];
}

export { isInternalQueue } from '../internal.js';

export async function readBindings(conn: BrokerConnection): Promise<Bindings> {
  const prefix = conn.key('_kombu.binding.');
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await conn.cmd.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 10000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const out: Bindings = { queues: new Set(), routes: new Map(), warnings: [] };
  const exchanges = [...new Set(keys)].map((k) => k.slice(prefix.length)).filter((e) => !INTERNAL_EXCHANGES.has(e));
  for (let i = 0; i < exchanges.length; i += 1000) {
    const chunk = exchanges.slice(i, i + 1000);
    const pipe = conn.cmd.pipeline();
    for (const e of chunk) pipe.smembers(prefix + e);
    const res = (await pipe.exec()) ?? [];
    chunk.forEach((exchange, j) => {
      const [err, members] = res[j] ?? [null, []];
      if (err) {
        out.warnings.push(`binding key for exchange ${JSON.stringify(exchange)} is not a set; skipped`);
        return;
      }
      const routes = new Map<string, Set<string>>();
      for (const m of members as string[]) {
        const [rk, , queue] = m.split(SEP);
        if (queue === undefined || queue === '' || isInternalQueue(queue)) continue;
        out.queues.add(queue);
        if (!routes.has(rk)) routes.set(rk, new Set());
        routes.get(rk)!.add(queue);
      }
      out.routes.set(exchange, routes);
    });
  }
  return out;
}

export interface Depth {
  messages: number;
  warnings: string[];
}

/** Pipelined LLEN of each queue and its priority sub-lists; never reads a message. */
export async function readDepths(conn: BrokerConnection, queues: string[]): Promise<Map<string, Depth>> {
  const out = new Map<string, Depth>();
  const chunks: string[][] = [];
  for (let i = 0; i < queues.length; i += 2000) chunks.push(queues.slice(i, i + 2000));
  await Promise.all(chunks.map(async (chunk) => {
    const keys = chunk.flatMap((q) => PRIORITY_SUFFIXES.map((s) => conn.key(q + s)));
    const lengths = await llenMany(conn, keys);
    chunk.forEach((q, j) => {
      const d: Depth = { messages: 0, warnings: [] };
      PRIORITY_SUFFIXES.forEach((s, k) => {
        const n = lengths[j * PRIORITY_SUFFIXES.length + k];
        if (n < 0) d.warnings.push(`key ${JSON.stringify(q + s)} is not a list; not counted`);
        else d.messages += n;
      });
      out.set(q, d);
    });
  }));
  return out;
}

// LLEN of many keys in one read-only script call: 40,000 pipelined commands cost ioredis
// far more than Redis. A key of the wrong type comes back as -1.
const LLEN_MANY = `#!lua flags=no-writes
local out = {}
for i, k in ipairs(KEYS) do
  local n = redis.pcall('LLEN', k)
  if type(n) == 'table' then out[i] = -1 else out[i] = n end
end
return out`;

async function llenMany(conn: BrokerConnection, keys: string[]): Promise<number[]> {
  try {
    return (await conn.cmd.eval(LLEN_MANY, keys.length, ...keys)) as number[];
  } catch {
    // Scripting disabled, or a Redis before 7 (no shebang flags): plain pipeline.
    const pipe = conn.cmd.pipeline();
    for (const k of keys) pipe.llen(k);
    return ((await pipe.exec()) ?? []).map(([err, n]) => (err ? -1 : Number(n)));
  }
}

function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
