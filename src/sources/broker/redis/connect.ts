// Opening ioredis connections whose every failure becomes one clear line.
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
// The client class alone: ioredis' index also loads its Cluster support, a fifth of its start-up cost.
import RedisModule from 'ioredis/built/Redis.js';

// CommonJS interop differs between Node, esbuild and vitest: take the class wherever it landed.
const Redis = ((RedisModule as unknown as { default?: typeof RedisClient }).default ?? RedisModule) as typeof RedisClient;
type Redis = RedisClient;
import { BrokerError } from '../../../errors.js';
import type { BrokerTarget } from '../url.js';

export interface BrokerConnection {
  target: BrokerTarget;
  /** For ordinary commands (bounded by the timeout). */
  cmd: Redis;
  /** A second connection for BRPOP: a blocked connection can do nothing else. */
  blocking(): Promise<Redis>;
  /** Prefix a key or channel with kombu's global_keyprefix. */
  key(name: string): string;
  close(): Promise<void>;
}

export async function connectBroker(target: BrokerTarget, timeoutMs: number): Promise<BrokerConnection> {
  performance.mark('fleetdoc:redis-loaded');
  const opened: Redis[] = [];
  const open = async (blocking: boolean): Promise<Redis> => {
    const client = new Redis(redisOptions(target, timeoutMs, blocking));
    opened.push(client);
    let lastError: Error | null = null;
    // ioredis logs unhandled 'error' events; we report failures ourselves.
    client.on('error', (err: Error) => { lastError = err; });
    try {
      await withDeadline(client.connect(), timeoutMs, () => lastError);
    } catch (err) {
      client.disconnect();
      // ioredis rejects with 'Connection is closed'; the 'error' event holds the real cause.
      throw explain(lastError ?? (err as Error), target, timeoutMs);
    }
    return client;
  };
  // Open both at once: the reply collector needs its own connection, and a second handshake in
  // series would add a round trip to every run.
  let blocker: Promise<Redis> | null = open(true);
  blocker.catch(() => undefined);
  const cmd = await open(false);
  performance.mark('fleetdoc:connected');
  return {
    target,
    cmd,
    blocking: () => (blocker ??= open(true)),
    key: (name) => target.keyPrefix + name,
    close: async () => {
      await Promise.all(opened.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}

function redisOptions(t: BrokerTarget, timeoutMs: number, blocking: boolean): RedisOptions {
  return {
    ...(t.kind === 'unix' ? { path: t.path! } : { host: t.host, port: t.port }),
    ...(t.tls ? { tls: { servername: t.host } } : {}),
    username: t.username ?? undefined,
    password: t.password ?? undefined,
    db: t.db,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // BRPOP waits on purpose; everything else is bounded.
    commandTimeout: blocking ? undefined : Math.max(timeoutMs, 250),
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: true,
    // Keep the ready check: without it connect() resolves before AUTH is answered, and a wrong
    // password surfaces later as a bare "Connection is closed".
    enableReadyCheck: true,
    // No CLIENT SETINFO: it reads ioredis' package.json from disk and costs a round trip before ready.
    disableClientInfo: true,
  };
}

async function withDeadline<T>(p: Promise<T>, ms: number, last: () => Error | null): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(last() ?? new Error('ETIMEDOUT')), Math.max(ms, 250));
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Map a connection error to one line that says what to check. */
export function explain(err: Error, t: BrokerTarget, timeoutMs: number): BrokerError {
  const where = `broker ${t.display}`;
  const msg = String(err?.message ?? err);
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(msg)) {
    return new BrokerError(`${where}: authentication failed (check the password in the URL or CELERY_BROKER_URL)`);
  }
  if (/ECONNREFUSED/.test(msg)) return new BrokerError(`${where}: connection refused (is redis-server running there?)`);
  if (/ENOTFOUND|EAI_AGAIN/.test(msg)) return new BrokerError(`${where}: host name not found`);
  if (/ENOENT/.test(msg)) return new BrokerError(`${where}: no such socket`);
  if (/EACCES|EPERM/.test(msg)) return new BrokerError(`${where}: permission denied`);
  if (/ETIMEDOUT|timed? ?out|Command timed out/i.test(msg)) {
    return new BrokerError(`${where}: no answer within ${(timeoutMs / 1000).toFixed(1)} s (slow or not a Redis server?)`);
  }
  if (/Connection is closed|ECONNRESET|EPIPE/.test(msg)) {
    return new BrokerError(`${where}: connection closed by the server (not a Redis server, or TLS mismatch?)`);
  }
  return new BrokerError(`${where}: ${msg.split('\n')[0]}`);
}
