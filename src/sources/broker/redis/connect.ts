// Opening ioredis connections (direct, TLS, Sentinel, or the first of a failover list that answers),
// whose every failure becomes one clear line.
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
// The client class alone: ioredis' index also loads its Cluster support, a fifth of its start-up cost.
import RedisModule from 'ioredis/built/Redis.js';
import { BrokerError, UsageError } from '../../../errors.js';
import type { BrokerTarget } from '../url.js';
import { cause, explain, noSuchMaster } from './explain.js';
import { tlsOptions } from './tls.js';

export { explain } from './explain.js';

// CommonJS interop differs between Node, esbuild and vitest: take the class wherever it landed.
const Redis = ((RedisModule as unknown as { default?: typeof RedisClient }).default ?? RedisModule) as typeof RedisClient;
type Redis = RedisClient;

export interface BrokerConnection {
  /** The target in use: a failover list's pick, else the one given. */
  target: BrokerTarget;
  /** Where we are connected, password masked: the URL, plus the master a Sentinel gave us. */
  display: string;
  /** host:port of the Redis server itself (a Sentinel's master); null for a unix socket. */
  endpoint: { host: string; port: number } | null;
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
  if (target.alternates.length <= 1) return connectOne(target, timeoutMs);
  // A failover list: the first that answers, in order, each bounded by the timeout (as kombu tries them).
  const failures: string[] = [];
  for (const alt of target.alternates) {
    try {
      return await connectOne(alt, timeoutMs);
    } catch (err) {
      if (!(err instanceof BrokerError)) throw err;
      failures.push(err.message.replace(/^broker /, ''));
    }
  }
  throw new BrokerError(`broker ${target.display}: no URL of the failover list answered: ${failures.join('; ')}`);
}

async function connectOne(target: BrokerTarget, timeoutMs: number): Promise<BrokerConnection> {
  if (target.transport === 'sentinel' && !target.masterName) {
    throw new UsageError('a sentinel:// broker needs the master name: add ?master_name=NAME to the URL or give --broker-transport-option master_name=NAME');
  }
  const options = await redisOptions(target, timeoutMs);
  // Each sentinel in turn may take the whole timeout before the next is asked.
  const deadlineMs = target.transport === 'sentinel' ? timeoutMs * (target.sentinels.length + 1) : timeoutMs;
  const opened: Redis[] = [];
  const open = async (blocking: boolean): Promise<Redis> => {
    // BRPOP waits on purpose; everything else is bounded.
    const client = new Redis({ ...options, commandTimeout: blocking ? undefined : Math.max(timeoutMs, 250) });
    opened.push(client);
    const errors: Error[] = [];
    let noMaster = false;
    // ioredis logs unhandled 'error' events; we report failures ourselves.
    client.on('error', (err: Error) => { errors.push(err); });
    // A sentinel that answers but knows no such master is not an unreachable one.
    client.on('sentinelError', (err: Error) => { noMaster ||= /invalid reply/.test(err.message); });
    try {
      await withDeadline(client.connect(), deadlineMs, () => errors.at(-1) ?? null);
    } catch (err) {
      client.disconnect();
      if (noMaster) throw noSuchMaster(target);
      // ioredis rejects with 'Connection is closed'; the 'error' events hold the real cause.
      throw explain(cause(errors, target) ?? (err as Error), target, timeoutMs);
    }
    return client;
  };
  // Open both at once: the reply collector needs its own connection, and a second handshake in
  // series would add a round trip to every run.
  let blocker: Promise<Redis> | null = open(true);
  blocker.catch(() => undefined);
  const cmd = await open(false).catch(async (err) => {
    await blocker?.then((b) => b.disconnect(), () => undefined);
    throw err;
  });
  performance.mark('fleetdoc:connected');
  const endpoint = where(target, cmd);
  return {
    target,
    display: target.transport === 'sentinel' && endpoint
      ? `${target.display} (master ${target.masterName} at ${hostPort(endpoint)})`
      : target.display,
    endpoint,
    cmd,
    blocking: () => (blocker ??= open(true)),
    key: (name) => target.keyPrefix + name,
    close: async () => {
      // Every command was answered before close (reply keys removed, awaited): nothing is lost by
      // closing the sockets at once, and QUIT would cost a round trip per connection.
      for (const c of opened) c.disconnect();
    },
  };
}

async function redisOptions(t: BrokerTarget, timeoutMs: number): Promise<RedisOptions> {
  const where: RedisOptions = t.transport === 'sentinel'
    ? {
      sentinels: t.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: t.masterName!,
      // Dead sentinels are skipped; once every one has failed, say so instead of trying forever.
      sentinelRetryStrategy: () => null,
      sentinelCommandTimeout: Math.max(timeoutMs, 250),
      // Only the sentinels the user named, and no standing subscription for failover news.
      updateSentinels: false,
      failoverDetector: false,
    }
    : t.kind === 'unix' ? { path: t.path! } : { host: t.host, port: t.port };
  return {
    ...where,
    ...(t.tls ? { tls: await tlsOptions(t) } : {}),
    username: t.username ?? undefined,
    password: t.password ?? undefined,
    db: t.db,
    lazyConnect: true,
    connectTimeout: timeoutMs,
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

/** The Redis server we really talk to: for a Sentinel, the master it named. */
function where(t: BrokerTarget, client: Redis): { host: string; port: number } | null {
  if (t.kind === 'unix') return null;
  if (t.transport !== 'sentinel') return { host: t.host, port: t.port };
  const s = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  return s?.remoteAddress && s.remotePort ? { host: s.remoteAddress, port: s.remotePort } : null;
}

function hostPort(e: { host: string; port: number }): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
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
