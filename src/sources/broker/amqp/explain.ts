// AMQP failures as one line that says what to check: on connecting, and on a call once connected.
import { BrokerError, FleetdocError } from '../../../errors.js';
import type { BrokerTarget } from '../url.js';

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
