// The transport's unacked hash, streamed with HSCAN: aggregates only, so memory stays bounded.
import type { BrokerConnection } from './connect.js';
import { isObject } from '../envelope.js';
import type { Bindings } from './queues.js';

export interface UnackedAggregate {
  count: number;
  /** Unix seconds of the oldest delivery, from unacked_index. */
  oldestAt: number | null;
  /** Entries whose task no responsive worker reported in `active`/`reserved`. */
  orphaned: number;
  oldestOrphanAt: number | null;
}

export interface UnackedResult {
  byQueue: Map<string, UnackedAggregate>;
  total: number;
  unreadable: number;
  warnings: string[];
}

export async function readUnacked(
  conn: BrokerConnection,
  bindings: Bindings,
  heldTaskIds: Set<string>,
): Promise<UnackedResult> {
  const out: UnackedResult = { byQueue: new Map(), total: 0, unreadable: 0, warnings: [] };
  const hashKey = conn.key('unacked');
  const type = await conn.cmd.type(hashKey);
  if (type === 'none') return out;
  if (type !== 'hash') {
    out.warnings.push(`key "unacked" is a ${type}, not a hash; unacked counts unknown`);
    return out;
  }
  // Overlap: score page N (ZSCORE pipeline) while HSCAN fetches page N+1.
  let cursor = '0';
  let scoring: Promise<void> = Promise.resolve();
  do {
    const [next, flat] = await conn.cmd.hscan(hashKey, cursor, 'COUNT', 2000);
    cursor = next;
    await scoring;
    scoring = scorePage(conn, flat, bindings, heldTaskIds, out);
  } while (cursor !== '0');
  await scoring;
  if (out.unreadable) out.warnings.push(`${out.unreadable} unacked entries could not be read and were skipped`);
  return out;
}

async function scorePage(
  conn: BrokerConnection,
  flat: string[],
  bindings: Bindings,
  heldTaskIds: Set<string>,
  out: UnackedResult,
): Promise<void> {
  const scores = await scoresOf(conn, flat.filter((_, i) => i % 2 === 0));
  for (let i = 0; i < flat.length; i += 2) {
    const entry = parseEntry(flat[i + 1]);
    if (!entry) {
      out.unreadable++;
      continue;
    }
    const score = scores[i / 2];
    const at = score == null ? null : Number(score);
    const orphan = entry.taskId === null || !heldTaskIds.has(entry.taskId);
    out.total++;
    for (const queue of route(bindings, entry.exchange, entry.routingKey)) add(out.byQueue, queue, at, orphan);
  }
}

/** ZMSCORE (Redis 6.2+) in one command per page; ZSCORE pipeline on older servers. */
async function scoresOf(conn: BrokerConnection, tags: string[]): Promise<(string | null)[]> {
  if (!tags.length) return [];
  const key = conn.key('unacked_index');
  try {
    return (await conn.cmd.call('ZMSCORE', key, ...tags)) as (string | null)[];
  } catch {
    const pipe = conn.cmd.pipeline();
    for (const t of tags) pipe.zscore(key, t);
    return ((await pipe.exec()) ?? []).map(([, v]) => (v as string | null) ?? null);
  }
}

interface Entry { exchange: string; routingKey: string; taskId: string | null }

function parseEntry(raw: string | undefined): Entry | null {
  try {
    const v: unknown = JSON.parse(raw ?? '');
    if (!Array.isArray(v) || v.length < 3 || typeof v[1] !== 'string' || typeof v[2] !== 'string') return null;
    const headers = isObject(v[0]) && isObject(v[0].headers) ? v[0].headers : {};
    return { exchange: v[1], routingKey: v[2], taskId: typeof headers.id === 'string' ? headers.id : null };
  } catch {
    return null;
  }
}

/** With the default exchange the routing key is the queue; otherwise follow the exchange's bindings. */
function route(b: Bindings, exchange: string, routingKey: string): string[] {
  if (exchange === '') return [routingKey];
  const queues = b.routes.get(exchange)?.get(routingKey);
  return queues ? [...queues] : [routingKey];
}

function add(map: Map<string, UnackedAggregate>, queue: string, at: number | null, orphan: boolean): void {
  const a = map.get(queue) ?? { count: 0, oldestAt: null, orphaned: 0, oldestOrphanAt: null };
  a.count++;
  if (at !== null && (a.oldestAt === null || at < a.oldestAt)) a.oldestAt = at;
  if (orphan) {
    a.orphaned++;
    if (at !== null && (a.oldestOrphanAt === null || at < a.oldestOrphanAt)) a.oldestOrphanAt = at;
  }
  map.set(queue, a);
}
