// kombu's pidbox remote control over AMQP: our own exclusive reply queue, a broadcast on the
// celery.pidbox fanout exchange, replies collected by ticket until everyone answered or time is up.
import { uuid4 } from '../../../util/uuid.js';
import type { Channel } from 'amqplib';
import { InterruptedError } from '../../../errors.js';
import { acceptReply, allAnswered } from '../replies.js';
import type { AmqpConnection } from './connect.js';
import { controlProperties, decodeAmqp } from './message.js';

export const CONTROL_EXCHANGE = 'celery.pidbox';
const REPLY_EXCHANGE = 'reply.celery.pidbox';

export interface ControlOptions {
  destination?: string[];
  /** Names we expect to hear from, once known (the roster comes from the management API in parallel);
   * null = unknown, so wait for the whole timeout (or for all of `destination`). */
  expect?: Promise<string[] | null>;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ControlResult {
  /** method → worker name → result */
  replies: Map<string, Map<string, unknown>>;
  warnings: string[];
}

export async function broadcast(conn: AmqpConnection, methods: string[], opts: ControlOptions): Promise<ControlResult> {
  const result: ControlResult = { replies: new Map(methods.map((m) => [m, new Map()])), warnings: [] };
  if (opts.signal?.aborted) throw new InterruptedError();
  const deadline = Date.now() + opts.timeoutMs;
  const replyId = uuid4();
  const queue = `${replyId}.${REPLY_EXCHANGE}`;
  const tickets = new Map(methods.map((m) => [uuid4(), m]));
  // Our channel and queue, and the passive checks, side by side: each step is a round trip.
  // Exclusive + auto-delete: the broker drops the queue with our connection, even if we crash.
  const opening = conn.channel().then(async (c) => {
    await c.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
    return c;
  });
  // Remove what we created, and only that. An answer need not wait for it: close() does.
  let finished = false;
  const cleanUp = () => {
    finished = true;
    return conn.later(opening.then((c) => c.deleteQueue(queue).then(() => c.close())));
  };
  let control: boolean, replyExchange: boolean;
  try {
    [control, replyExchange] = await Promise.all([conn.exchangeExists(CONTROL_EXCHANGE), conn.exchangeExists(REPLY_EXCHANGE)]);
  } catch (err) {
    cleanUp();
    throw err;
  }
  if (!control) {
    cleanUp();
    result.warnings.push(`no ${CONTROL_EXCHANGE} exchange on vhost ${JSON.stringify(conn.target.vhost)}: no Celery worker listens for remote control here`);
    return result;
  }
  const ch: Channel = await opening;
  let wake: () => void = () => undefined;
  const woken = () => new Promise<void>((resolve) => { wake = resolve; });
  const onAbort = () => wake();
  opts.signal?.addEventListener('abort', onAbort);
  try {
    // Bind to kombu's reply exchange when it exists; otherwise reply through the default exchange,
    // which routes by queue name: we never create an exchange.
    const replyTo = replyExchange ? { exchange: REPLY_EXCHANGE, routing_key: replyId } : { exchange: '', routing_key: queue };
    if (replyExchange) await ch.bindQueue(queue, REPLY_EXCHANGE, replyId);
    // At most 20 warnings: a flood of garbage on our queue must not grow without bound.
    const warn = (w: string) => { if (result.warnings.length < 20) result.warnings.push(w); };
    await ch.consume(queue, (m) => {
      if (m && !finished) { acceptReply(decodeAmqp(m.content, m.properties), tickets, result.replies, warn); wake(); }
    }, { noAck: true, exclusive: true });
    for (const [ticket, method] of tickets) {
      const body = {
        method, arguments: {}, destination: opts.destination?.length ? opts.destination : null,
        pattern: null, matcher: null, ticket, reply_to: replyTo,
      };
      ch.publish(CONTROL_EXCHANGE, '', Buffer.from(JSON.stringify(body)), controlProperties(opts.timeoutMs));
    }
    let expect: string[] | null = opts.destination?.length ? opts.destination : null;
    opts.expect?.then((names) => {
      if (names) {
        expect = names;
        wake();
      }
    }, () => undefined);
    while (!opts.signal?.aborted && !(expect && allAnswered(result.replies, expect))) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([woken(), new Promise<void>((r) => { timer = setTimeout(r, left); })]);
      clearTimeout(timer);
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    const gone = cleanUp();
    // Interrupted: be sure the queue is gone before we say so.
    if (opts.signal?.aborted) await gone;
  }
  if (opts.signal?.aborted) throw new InterruptedError();
  return result;
}

/** Fire a control command at named workers without asking for a reply (shutdown never answers). */
export async function publishControl(conn: AmqpConnection, method: string, destination: string[]): Promise<void> {
  if (!(await conn.exchangeExists(CONTROL_EXCHANGE))) return;
  const ch = await conn.channel();
  try {
    const body = { method, arguments: {}, destination, pattern: null, matcher: null };
    ch.publish(CONTROL_EXCHANGE, '', Buffer.from(JSON.stringify(body)), controlProperties(null));
  } finally {
    // close() flushes what we published before it returns.
    await ch.close().catch(() => undefined);
  }
}
