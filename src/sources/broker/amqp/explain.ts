// AMQP failures as one line that says what to check: on connecting, and on a call once connected.
import { BrokerError, FleetdocError } from '../../../errors.js';
import { errorCode } from '../error-code.js';
import type { BrokerTarget } from '../url.js';

/** Map a connection error to one line that says what to check. */
export function explainAmqp(err: Error, t: BrokerTarget, timeoutMs: number): BrokerError {
  const where = `broker ${t.display}`;
  const msg = String(err?.message ?? err);
  // A socket error first, by its code (see errorCode).
  const code = errorCode(err, msg);
  const socket = code ? socketError(code, msg, timeoutMs) : null;
  if (socket) return new BrokerError(`${where}: ${socket}`);
  if (/ACCESS.REFUSED|\b403 \(|authenticat|auth mechanism/i.test(msg) && !/vhost/i.test(msg)) {
    return new BrokerError(`${where}: authentication failed (check the user and password in the URL or CELERY_BROKER_URL)`);
  }
  // connection.open fails only on the vhost (missing, or no permission); amqplib keeps no detail.
  if ((/vhost/i.test(msg) && /not found|NOT_ALLOWED|access/i.test(msg)) || /Expected ConnectionOpenOk/.test(msg)) {
    return new BrokerError(`${where}: virtual host ${JSON.stringify(t.vhost)} not found or not allowed for this user (check the path after the port)`);
  }
  if (/certificate|SSL|TLS|wrong version/i.test(msg)) {
    return new BrokerError(`${where}: TLS handshake failed (amqps:// against a plain port, or an untrusted certificate?)`);
  }
  if (/timed? ?out/i.test(msg)) return new BrokerError(`${where}: ${noAnswer(timeoutMs)}`);
  if (/closed|handshake/i.test(msg)) return new BrokerError(`${where}: ${CLOSED}`);
  return new BrokerError(`${where}: ${msg.split('\n')[0]}`);
}

const CLOSED = 'connection closed during the handshake (not an AMQP server, or TLS mismatch?)';

const noAnswer = (ms: number) => `no answer within ${(ms / 1000).toFixed(1)} s (slow or not a RabbitMQ server?)`;

function socketError(code: string, msg: string, timeoutMs: number): string | null {
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused (is rabbitmq-server running there?)';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'host name not found';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOENT': return `TLS file not found (${msg.replace(/^.*ENOENT[^']*'?/, '').replace(/'.*$/, '')})`;
    case 'EPROTO': return 'TLS handshake failed (amqps:// against a plain port, or an untrusted certificate?)';
    case 'ETIMEDOUT': return noAnswer(timeoutMs);
    case 'ECONNRESET': case 'EPIPE': return CLOSED;
    default: return null;
  }
}

/**
 * Bound a call on an open connection and make its failure one line: amqplib's RPCs have no
 * timeout of their own, and a broker that stalls must not hang fleetdoc.
 */
export async function bounded<T>(t: BrokerTarget, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BrokerError(`broker ${t.display}: no answer within ${(ms / 1000).toFixed(1)} s`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } catch (err) {
    if (err instanceof FleetdocError) throw err;
    const msg = String((err as Error)?.message ?? err).split('\n')[0];
    throw new BrokerError(`broker ${t.display}: connection lost (${msg})`);
  } finally {
    clearTimeout(timer);
  }
}
