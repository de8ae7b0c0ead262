// A Redis connection failure, as one line that says what to check.
import { BrokerError } from '../../../errors.js';
import { errorCode } from '../error-code.js';
import type { BrokerTarget } from '../url.js';
import { explainTls } from './tls.js';

/** The error that says most: a TLS alert can arrive before or after the reset it causes. */
export function cause(errors: Error[], t: BrokerTarget): Error | null {
  return (t.tls ? errors.find((e) => explainTls(e)) : undefined) ?? errors.at(-1) ?? null;
}

const SOCKET: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is redis-server running there?)',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name not found',
  ENOENT: 'no such socket',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

export function explain(err: Error, t: BrokerTarget, timeoutMs: number): BrokerError {
  const where = `broker ${t.display}`;
  const msg = String(err?.message ?? err);
  const tls = t.tls ? explainTls(err) : null;
  if (tls) return new BrokerError(`${where}: ${tls}`);
  if (t.transport === 'sentinel' && /All sentinels are unreachable/.test(msg)) return sentinelError(where, msg, t);
  // A socket error first, by its code (see errorCode).
  const code = errorCode(err, msg);
  const socket = code ? SOCKET[code] : undefined;
  if (socket) return new BrokerError(`${where}: ${socket}`);
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(msg)) {
    return new BrokerError(`${where}: authentication failed (check the password in the URL or CELERY_BROKER_URL)`);
  }
  if (/ETIMEDOUT|timed? ?out|Command timed out/i.test(msg)) {
    // A plain port waits for the end of a line that a TLS hello never sends.
    const hint = t.tls ? 'slow, or not speaking TLS? use redis:// for a plain port' : 'slow or not a Redis server?';
    return new BrokerError(`${where}: no answer within ${(timeoutMs / 1000).toFixed(1)} s (${hint})`);
  }
  if (t.tls && /Connection is closed|ECONNRESET|EPIPE|socket hang up/.test(msg)) {
    // TLS 1.3 servers check a client certificate after the handshake, so a missing one looks like a reset.
    return new BrokerError(`${where}: the server closed the TLS connection (does it want a client certificate? set ssl_certfile and ssl_keyfile; or is it a plain port? use redis://)`);
  }
  if (/Connection is closed|ECONNRESET|EPIPE|socket hang up/.test(msg)) {
    return new BrokerError(`${where}: connection closed by the server (not a Redis server, or TLS mismatch?)`);
  }
  return new BrokerError(`${where}: ${msg.split('\n')[0]}`);
}

export function noSuchMaster(t: BrokerTarget): BrokerError {
  return new BrokerError(`broker ${t.display}: no sentinel knows a master named ${JSON.stringify(t.masterName)} (check master_name)`);
}

/** ioredis tried every sentinel and none answered. */
function sentinelError(where: string, msg: string, t: BrokerTarget): BrokerError {
  const last = /Last error: (.*)$/.exec(msg.split('\n')[0])?.[1];
  if (!last) return noSuchMaster(t);
  const why = /ECONNREFUSED/.test(last) ? 'connection refused' : last;
  return new BrokerError(`${where}: no sentinel answered (${why})`);
}
