// Heartbeats and task events from the celeryev topic exchange, through a queue of our own that
// the broker deletes with our channel or connection (exclusive, auto-delete).
import { uuid4 } from '../../../util/uuid.js';
import { InterruptedError } from '../../../errors.js';
import type { EventsResult } from '../client.js';
import { eventTally } from '../tally.js';
import type { AmqpConnection } from './connect.js';
import { decodeAmqp } from './message.js';

const EXCHANGE = 'celeryev';

export async function listenAmqp(conn: AmqpConnection, opts: { seconds: number; signal?: AbortSignal }): Promise<EventsResult> {
  if (opts.signal?.aborted) throw new InterruptedError();
  const tally = eventTally();
  const warnings: string[] = [];
  if (!(await conn.exchangeExists(EXCHANGE))) {
    warnings.push(`no ${EXCHANGE} exchange on vhost ${JSON.stringify(conn.target.vhost)}: no worker has sent events here`);
    return tally.result(warnings);
  }
  const queue = `celeryev.fleetdoc-${uuid4()}`;
  const ch = await conn.channel();
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  let done = false;
  const onClose = () => {
    if (done) return;
    warnings.push('the broker closed the event stream before the listen window ended');
    stop();
  };
  opts.signal?.addEventListener('abort', stop);
  let timer: NodeJS.Timeout | undefined;
  try {
    await ch.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
    await Promise.all([ch.bindQueue(queue, EXCHANGE, 'worker.#'), ch.bindQueue(queue, EXCHANGE, 'task.#')]);
    ch.once('close', onClose);
    await ch.consume(queue, (m) => {
      if (!m) return onClose(); // the broker cancelled our consumer
      tally.accept(decodeAmqp(m.content, m.properties));
    }, { noAck: true, exclusive: true });
    // The window starts once we are bound: the exchange keeps no backlog for us.
    timer = setTimeout(stop, Math.max(0, opts.seconds * 1000));
    if (opts.signal?.aborted) stop();
    await stopped;
  } finally {
    done = true;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', stop);
    ch.off('close', onClose);
    await ch.deleteQueue(queue).catch(() => undefined);
    await ch.close().catch(() => undefined);
  }
  if (opts.signal?.aborted) throw new InterruptedError();
  return tally.result(warnings);
}
