// kombu's pidbox remote control over Redis: bind a reply queue, broadcast, collect, clean up.
import { uuid4 } from '../../../util/uuid.js';
import type { Redis } from 'ioredis';
import { InterruptedError } from '../../../errors.js';
import type { BrokerConnection } from './connect.js';
import { decodeEnvelope, encodeMessage } from '../envelope.js';
import { acceptReply, allAnswered } from '../replies.js';

export const SEP = '\x06\x16';
const REPLY_EXCHANGE = 'reply.celery.pidbox';

export interface ControlOptions {
  /** Worker names to address; empty or undefined = every worker. */
  destination?: string[];
  /** Names we expect to hear from: collection ends once all of them answered every method. A promise
   * (the roster, read while the broadcast goes out) is awaited only once collection starts. */
  expect?: string[] | Promise<string[]>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra body fields, e.g. {pattern, matcher}. */
  extra?: Record<string, unknown>;
}

export interface ControlResult {
  /** method → worker name → result */
  replies: Map<string, Map<string, unknown>>;
  /** How many subscribers each publish reached: a hint of how many workers listen. */
  reached: number;
  warnings: string[];
}

export async function broadcast(
  conn: BrokerConnection,
  methods: { method: string; arguments?: Record<string, unknown> }[],
  opts: ControlOptions,
): Promise<ControlResult> {
  const replyId = uuid4();
  const replyKey = conn.key(`${replyId}.${REPLY_EXCHANGE}`);
  const bindingKey = conn.key(`_kombu.binding.${REPLY_EXCHANGE}`);
  const member = `${replyId}${SEP}${SEP}${replyId}.${REPLY_EXCHANGE}`;
  const tickets = new Map(methods.map((m) => [uuid4(), m.method]));
  const result: ControlResult = { replies: new Map(methods.map((m) => [m.method, new Map()])), reached: 0, warnings: [] };
  const deadline = Date.now() + opts.timeoutMs;
  const expect = Promise.resolve(opts.expect ?? []);
  expect.catch(() => undefined); // awaited in collect; a failure there is the caller's error
  let blocker: Redis | null = null;
  const onAbort = () => blocker?.disconnect();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    // The binding must exist before we publish, or workers drop their replies. SADD and PUBLISH
    // share one connection, which the server reads in order: no need to wait for SADD's answer.
    const bound = conn.cmd.sadd(bindingKey, member);
    const expires = (Date.now() + opts.timeoutMs) / 1000;
    const published = Promise.all(
      [...tickets].map(([ticket, method], i) => {
        const body = {
          method,
          arguments: methods[i].arguments ?? {},
          destination: opts.destination?.length ? opts.destination : null,
          pattern: null,
          matcher: null,
          ...opts.extra,
          ticket,
          reply_to: { exchange: REPLY_EXCHANGE, routing_key: replyId },
        };
        return publishBoth(conn, encodeMessage(body, { exchange: 'celery.pidbox', routingKey: '', headers: { clock: 1, expires } }));
      }),
    );
    const [reached, , b] = await Promise.all([published, bound, conn.blocking()]);
    blocker = b;
    result.reached = Math.max(0, ...reached);
    performance.mark('fleetdoc:published');
    await collect(blocker, conn, replyKey, tickets, result, { ...opts, expect: await expect }, deadline);
    performance.mark('fleetdoc:replies');
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    // Always remove what we created, and only that.
    await conn.cmd.multi().srem(bindingKey, member).del(replyKey).exec().catch(() => undefined);
  }
  if (opts.signal?.aborted) throw new InterruptedError();
  return result;
}

async function collect(
  blocker: Redis,
  conn: BrokerConnection,
  replyKey: string,
  tickets: Map<string, string>,
  result: ControlResult,
  opts: ControlOptions,
  deadline: number,
): Promise<void> {
  const expect = opts.destination?.length ? opts.destination : ((opts.expect as string[] | undefined) ?? []);
  while (!opts.signal?.aborted && !complete(result, expect)) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    let first: [string, string] | null;
    try {
      first = await blocker.brpop(replyKey, Math.max(0.01, left / 1000));
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
    if (!first) return;
    // Drain whatever else has arrived in one round trip.
    const rest = await conn.cmd.multi().lrange(replyKey, 0, -1).del(replyKey).exec();
    const more = ((rest?.[0]?.[1] as string[] | undefined) ?? []).reverse();
    for (const raw of [first[1], ...more]) acceptReply(decodeEnvelope(raw), tickets, result.replies, (m) => result.warnings.push(m));
  }
}

function complete(result: ControlResult, expect: string[]): boolean {
  return allAnswered(result.replies, expect, result.reached);
}

/** Fire a control command at named workers without asking for a reply (shutdown never answers). */
export async function publishControl(conn: BrokerConnection, method: string, destination: string[]): Promise<number> {
  const body = { method, arguments: {}, destination, pattern: null, matcher: null };
  return publishBoth(conn, encodeMessage(body, { exchange: 'celery.pidbox', routingKey: '', headers: { clock: 1 } }));
}

/**
 * The fanout channels: `/<db>.celery.pidbox`, and the literal `/{db}.celery.pidbox` that kombu 5.2
 * behind a Sentinel listens on (fixed in 5.4), so that workers of either kombu hear us.
 */
export function pidboxChannels(conn: BrokerConnection): string[] {
  return [conn.key(`/${conn.target.db}.celery.pidbox`), conn.key('/{db}.celery.pidbox')];
}

/**
 * The same message (same ticket) on both channels. A worker listens on one of them, so the sum of
 * the counts is how many heard it; one that somehow hears both answers one ticket twice, and its
 * replies land on one name.
 */
async function publishBoth(conn: BrokerConnection, msg: string): Promise<number> {
  const counts = await Promise.all(pidboxChannels(conn).map((c) => conn.cmd.publish(c, msg)));
  return counts.reduce((a, b) => a + b, 0);
}
