// One AMQP connection (amqplib, loaded lazily) whose every failure becomes one clear line.
import { readFileSync } from 'node:fs';
import type { Channel, ChannelModel } from 'amqplib';
import type { BrokerError } from '../../../errors.js';
import { trustExtraCAs } from '../../extra-ca.js';
import type { BrokerTarget } from '../url.js';
import { explainAmqp } from './explain.js';

export interface AmqpConnection {
  target: BrokerTarget;
  model: ChannelModel;
  /** host:port we reached (a failover list's pick). */
  endpoint: { host: string; port: number };
  serverVersion: string | null;
  /** A fresh channel whose errors are handled; a 404 closes only it. */
  channel(): Promise<Channel>;
  /** Clean-up that need not hold up an answer; close() waits for all of it. Resolves when done. */
  later(p: Promise<unknown>): Promise<void>;
  /** Passive exchange.declare on a throwaway channel: true if it exists, never creates it. */
  exchangeExists(name: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function connectAmqp(target: BrokerTarget, timeoutMs: number): Promise<AmqpConnection> {
  const amqp = await import('amqplib');
  const connect = (amqp.connect ?? (amqp as unknown as { default: typeof amqp }).default.connect) as typeof amqp.connect;
  const tries = target.alternates.length ? target.alternates : [target];
  let lastError: BrokerError | null = null;
  for (const t of tries) {
    try {
      if (t.tls) await trustExtraCAs();
      const model = await withDeadline(connect(connectOptions(t), socketOptions(t, timeoutMs)), timeoutMs);
      return wrap(target, t, model);
    } catch (err) {
      lastError = explainAmqp(err as Error, t, timeoutMs);
    }
  }
  throw lastError!;
}

function wrap(target: BrokerTarget, picked: BrokerTarget, model: ChannelModel): AmqpConnection {
  // A connection-level error after opening shows up on the next call; never as an unhandled event.
  model.on('error', () => undefined);
  const channel = async () => {
    const ch = await model.createChannel();
    ch.on('error', () => undefined);
    return ch;
  };
  const pending = new Set<Promise<unknown>>();
  const later = (p: Promise<unknown>): Promise<void> => {
    const done: Promise<void> = p.then(() => undefined, () => undefined).finally(() => pending.delete(done));
    pending.add(done);
    return done;
  };
  const props = model.connection.serverProperties as { version?: unknown };
  return {
    target,
    model,
    endpoint: { host: picked.host, port: picked.port },
    serverVersion: typeof props?.version === 'string' ? props.version : null,
    channel,
    later,
    exchangeExists: async (name) => {
      const ch = await channel();
      try {
        await ch.checkExchange(name);
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 404) return false;
        throw err;
      } finally {
        // A 404 has closed it already; otherwise its close need not hold up the answer.
        void later(ch.close());
      }
    },
    close: async () => {
      await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 1000).unref())]);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => { timer = setTimeout(() => r('late'), 1000); });
      const how = await Promise.race([model.close().catch(() => undefined), late]);
      clearTimeout(timer);
      // A stalled broker never answers connection.close: drop the socket (exclusive queues go too).
      if (how === 'late') (model.connection as unknown as { stream?: { destroy(): void } }).stream?.destroy();
    },
  };
}

function connectOptions(t: BrokerTarget) {
  return {
    protocol: t.tls ? 'amqps' : 'amqp',
    hostname: t.host,
    port: t.port,
    username: t.username ?? 'guest',
    password: t.password ?? '',
    vhost: t.vhost ?? '/',
    // We stay a few seconds at most: no heartbeats, so a slow event loop never trips them.
    heartbeat: 0,
  };
}

function socketOptions(t: BrokerTarget, timeoutMs: number): Record<string, unknown> {
  const o: Record<string, unknown> = { timeout: Math.max(timeoutMs, 250), noDelay: true, clientProperties: { connection_name: 'fleetdoc' } };
  if (!t.tls) return o;
  const tls = t.tlsOptions;
  o.servername = t.host;
  o.rejectUnauthorized = tls?.certReqs === 'required';
  if (tls?.caCerts) o.ca = [readFileSync(tls.caCerts)];
  if (tls?.certFile) o.cert = readFileSync(tls.certFile);
  if (tls?.keyFile) o.key = readFileSync(tls.keyFile);
  return o;
}

async function withDeadline<T extends { close(): Promise<void> }>(p: Promise<T>, ms: number): Promise<T> {
  let gaveUp = false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { gaveUp = true; reject(new Error('ETIMEDOUT')); }, Math.max(ms, 250));
  });
  // A connection that opens after we gave up must still be closed.
  p.then((m) => { if (gaveUp) m.close().catch(() => undefined); }, () => undefined);
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
