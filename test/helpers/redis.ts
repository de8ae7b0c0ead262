// A real redis-server on a free loopback port, one per test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface RedisServer {
  port: number;
  url: string;
  client: Redis;
  stop(): Promise<void>;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startRedis(extra: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const proc: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--set-proc-title', 'no', ...extra],
    { stdio: 'ignore', env: { ...process.env, FLEETDOC_TEST: '1' } },
  );
  const deadline = Date.now() + 10_000;
  let client: Redis;
  for (;;) {
    const password = extra[extra.indexOf('--requirepass') + 1];
    client = new Redis({ port, host: '127.0.0.1', password: extra.includes('--requirepass') ? password : undefined, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      break;
    } catch (err) {
      client.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    client,
    stop: async () => {
      client.disconnect();
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r).once('error', r));
    },
  };
}

/** Every key with its type and content: to prove a run changed nothing. */
export async function snapshot(client: Redis): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await client.type(key);
      if (type === 'list') out[key] = ['list', await client.lrange(key, 0, -1)];
      else if (type === 'set') out[key] = ['set', (await client.smembers(key)).sort()];
      else if (type === 'hash') out[key] = ['hash', await client.hgetall(key)];
      else if (type === 'zset') out[key] = ['zset', await client.zrange(key, 0, -1, 'WITHSCORES')];
      else if (type === 'string') out[key] = ['string', await client.get(key)];
      else out[key] = [type];
    }
  } while (cursor !== '0');
  return out;
}
