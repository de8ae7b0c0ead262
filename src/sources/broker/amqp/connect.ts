// One AMQP connection (amqplib, loaded lazily) whose every failure becomes one clear line.
import { readFileSync } from 'node:fs';
import type { Channel, ChannelModel } from 'amqplib';
import { BrokerError } from '../../../errors.js';
import type { BrokerTarget } from '../url.js';

export interface AmqpConnection {
  target: BrokerTarget;
  model: ChannelModel;
  /** host:port we reached (a failover list's pick). */
  endpoint: { host: string; port: number };
  serverVersion: string | null;
  /** A fresh channel whose errors are handled; a 404 closes only it. */
  channel(): Promise<Channel>;
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
  const props = model.connection.serverProperties as { version?: unknown };
  return {
    target,
    model,
    endpoint: { host: picked.host, port: picked.port },
    serverVersion: typeof props?.version === 'string' ? props.version : null,
    channel,
    exchangeExists: async (name) => {
      const ch = await channel();
      try {
        await ch.checkExchange(name);
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 404) return false;
        throw err;
      } finally {
        await ch.close().catch(() => undefined);
      }
    },
    close: async () => {
      await model.close().catch(() => undefined);
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

/** Map a connection error to one line that says what to check. */
export function explainAmqp(err: Error, t: BrokerTarget, timeoutMs: number): BrokerError {
  const where = `broker ${t.display}`;
  const msg = String(err?.message ?? err);
  if (/ACCESS.REFUSED|403|auth/i.test(msg) && !/vhost/i.test(msg)) {
    return new BrokerError(`${where}: authentication failed (check the user and password in the URL or CELERY_BROKER_URL)`);
  }
  // connection.open fails only on the vhost (missing, or no permission); amqplib keeps no detail.
  if ((/vhost/i.test(msg) && /not found|NOT_ALLOWED|access/i.test(msg)) || /Expected ConnectionOpenOk/.test(msg)) {
    return new BrokerError(`${where}: virtual host ${JSON.stringify(t.vhost)} not found or not allowed for this user (check the path after the port)`);
  }
  if (/ECONNREFUSED/.test(msg)) return new BrokerError(`${where}: connection refused (is rabbitmq-server running there?)`);
  if (/ENOTFOUND|EAI_AGAIN/.test(msg)) return new BrokerError(`${where}: host name not found`);
  if (/EACCES|EPERM/.test(msg)) return new BrokerError(`${where}: permission denied`);
  if (/ENOENT/.test(msg)) return new BrokerError(`${where}: TLS file not found (${msg.replace(/^.*ENOENT[^']*'?/, '').replace(/'.*$/, '')})`);
  if (/certificate|SSL|TLS|EPROTO|wrong version/i.test(msg)) {
    return new BrokerError(`${where}: TLS handshake failed (amqps:// against a plain port, or an untrusted certificate?)`);
  }
  if (/ETIMEDOUT|timed? ?out/i.test(msg)) {
    return new BrokerError(`${where}: no answer within ${(timeoutMs / 1000).toFixed(1)} s (slow or not a RabbitMQ server?)`);
  }
  if (/closed|ECONNRESET|EPIPE|handshake/i.test(msg)) {
    return new BrokerError(`${where}: connection closed during the handshake (not an AMQP server, or TLS mismatch?)`);
  }
  return new BrokerError(`${where}: ${msg.split('\n')[0]}`);
}
