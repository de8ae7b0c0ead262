// Real redis-server (plain or TLS) and redis-sentinel processes on free loopback ports, one set per test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

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

/** Spawn a marked server process and wait until a client made by `connect` answers PING. */
async function spawnServer(bin: string, args: string[], options: RedisOptions, what: string): Promise<{ proc: ChildProcess; client: Redis }> {
  const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FLEETDOC_TEST: '1' } });
  let log = '';
  proc.stderr!.on('data', (d) => { log = (log + d).slice(-2000); });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis({ host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1, ...options });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.ping();
      return { proc, client };
    } catch (err) {
      client.disconnect();
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`${what} did not start: ${err}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function stopper(proc: ChildProcess, client: Redis, after?: () => Promise<void>): () => Promise<void> {
  return async () => {
    client.disconnect();
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r).once('error', r));
    }
    await after?.();
  };
}

const BASE = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--set-proc-title', 'no'];

export async function startRedis(extra: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const password = extra.includes('--requirepass') ? extra[extra.indexOf('--requirepass') + 1] : undefined;
  const { proc, client } = await spawnServer('redis-server', ['--port', String(port), ...BASE, ...extra], { port, password }, `redis-server on ${port}`);
  return { port, url: `redis://127.0.0.1:${port}/0`, client, stop: stopper(proc, client) };
}

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/**
 * redis-server speaking TLS only (no plain port). `authClients` makes it demand a client certificate.
 * `url` is the bare rediss:// URL; `client` trusts the test CA.
 */
export async function startRedisTls(
  files: TlsFiles,
  opts: { authClients?: boolean; client?: { cert: string; key: string } } = {},
  servername = 'localhost',
): Promise<RedisServer> {
  const port = await freePort();
  const args = [
    '--port', '0', '--tls-port', String(port), ...BASE,
    '--tls-cert-file', files.cert, '--tls-key-file', files.key, '--tls-ca-cert-file', files.ca,
    '--tls-auth-clients', opts.authClients ? 'yes' : 'no',
  ];
  const [ca, cert, key] = await Promise.all([
    readFile(files.ca, 'utf8'),
    opts.client ? readFile(opts.client.cert, 'utf8') : undefined,
    opts.client ? readFile(opts.client.key, 'utf8') : undefined,
  ]);
  const { proc, client } = await spawnServer('redis-server', args, { port, tls: { ca, cert, key, servername } }, `TLS redis-server on ${port}`);
  return { port, url: `rediss://127.0.0.1:${port}/0`, client, stop: stopper(proc, client) };
}

export interface SentinelServer {
  port: number;
  masterName: string;
  /** A client of the sentinel itself (SENTINEL commands). */
  client: Redis;
  stop(): Promise<void>;
}

/** A real redis-sentinel monitoring the redis on `masterPort`. It rewrites its config, so that lives in a temp dir. */
export async function startSentinel(masterPort: number, masterName = 'fleetdoc-test-master'): Promise<SentinelServer> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'fleetdoc-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  await writeFile(conf, [
    `port ${port}`,
    'bind 127.0.0.1',
    'daemonize no',
    'set-proc-title no',
    `dir ${dir}`,
    `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`,
    `sentinel down-after-milliseconds ${masterName} 60000`,
    '',
  ].join('\n'));
  const { proc, client } = await spawnServer('redis-sentinel', [conf], { port }, `redis-sentinel on ${port}`);
  const deadline = Date.now() + 10_000;
  while (!(await client.call('SENTINEL', 'get-master-addr-by-name', masterName))) {
    if (Date.now() > deadline) throw new Error(`redis-sentinel on ${port} does not know ${masterName}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, masterName, client, stop: stopper(proc, client, () => rm(dir, { recursive: true, force: true })) };
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
