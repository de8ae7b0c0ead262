// Redis over TLS, through a Sentinel, and failover lists: real redis-server, redis-sentinel and Celery workers.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BrokerError, UsageError } from '../../src/errors.js';
import type { BrokerClient } from '../../src/sources/broker/client.js';
import { openRedis } from '../../src/sources/broker/redis/client.js';
import { parseBrokerUrl } from '../../src/sources/broker/url.js';
import { startWorker, type CeleryWorker } from '../helpers/celery.js';
import { runCli } from '../helpers/cli.js';
import { freePort, snapshot, startRedis, startRedisTls, startSentinel, type RedisServer, type SentinelServer } from '../helpers/redis.js';
import { tlsEnv, type TlsEnv } from '../helpers/testenv.js';

const run = promisify(execFile);
let tls: TlsEnv;
let tlsRedis: RedisServer;
let plain: RedisServer;
let sentinel: SentinelServer;
let scratch: string;
const workers: CeleryWorker[] = [];

/** Everything the runtime or a library might print behind our back. */
function captureNoise(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const onWarning = (w: Error) => lines.push(`warning: ${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const spies = [
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)),
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' '))),
    vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void lines.push(a.join(' '))),
  ];
  return { lines, stop: () => { process.off('warning', onWarning); for (const s of spies) s.mockRestore(); } };
}

async function open(url: string, timeoutMs = 2000): Promise<BrokerClient> {
  return openRedis(parseBrokerUrl(url), timeoutMs);
}

async function failure(url: string, timeoutMs = 1000): Promise<Error> {
  const err = await open(url, timeoutMs).then(async (c) => { await c.close(); return null; }, (e: Error) => e);
  if (!err) throw new Error(`${url} opened`);
  return err;
}

async function names(c: BrokerClient): Promise<{ responsive: string[]; reached: number | null; ms: number }> {
  const t0 = Date.now();
  const res = await c.workers({ timeoutMs: 4000 });
  return { responsive: res.workers.filter((w) => w.responsive).map((w) => w.name).sort(), reached: res.reached, ms: Date.now() - t0 };
}

/** A TCP server that accepts and never says a word: a hung broker or sentinel. */
async function silentServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => { sockets.add(s); s.on('error', () => undefined); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as { port: number }).port,
    stop: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); srv.close(() => r()); }),
  };
}

/** Wait until `n` connections hold pattern subscriptions (a worker's mailbox, without gossip). */
async function listening(server: RedisServer, n: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  // NUMPAT counts distinct patterns, and two workers of one kombu share theirs: count connections instead.
  const subscribed = async () => String(await server.client.call('CLIENT', 'LIST')).split('\n').filter((l) => / psub=[1-9]/.test(l)).length;
  while ((await subscribed()) < n) {
    if (Date.now() > deadline) throw new Error(`workers on ${server.url} never subscribed to their mailboxes`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  tls = tlsEnv();
  scratch = await mkdtemp(join(tmpdir(), 'fleetdoc-tls-'));
  [tlsRedis, plain] = await Promise.all([startRedisTls(tls), startRedis()]);
  sentinel = await startSentinel(plain.port);
  const tlsBase = `rediss://127.0.0.1:${tlsRedis.port}/0`;
  workers.push(...(await Promise.all([
    startWorker(`${tlsBase}?ssl_cert_reqs=CERT_NONE`, tlsRedis.client, { name: 'tls-none-v1.0.0@%h' }),
    startWorker(`${tlsBase}?ssl_cert_reqs=CERT_REQUIRED&ssl_ca_certs=${tls.ca}`, tlsRedis.client, { name: 'tls-ca-v1.0.0@%h' }),
    startWorker(`sentinel://127.0.0.1:${sentinel.port}/0`, plain.client, { name: 'via-sentinel-v1.0.0@%h', env: { FLEETDOC_TEST_MASTER_NAME: sentinel.masterName } }),
    startWorker(plain.url, plain.client, { name: 'direct-v1.0.0@%h' }),
  ])));
  // A worker joins the roster before it subscribes to its mailbox: wait until both on each server listen.
  await Promise.all([listening(tlsRedis, 2), listening(plain, 2)]);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await sentinel?.stop();
  await Promise.all([tlsRedis?.stop(), plain?.stop()]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('Redis over TLS', () => {
  // First in the file on purpose: Node prints its servername warning once per process.
  it('reads workers on a self-signed server with CERT_NONE, by IP address, with nothing on stderr', async () => {
    const noise = captureNoise();
    try {
      const c = await open(`rediss://127.0.0.1:${tlsRedis.port}/0?ssl_cert_reqs=CERT_NONE`);
      try {
        expect((await names(c)).responsive).toEqual([workers[1].name, workers[0].name].sort());
        await c.listen({ seconds: 0.2 });
      } finally {
        await c.close();
      }
    } finally {
      noise.stop();
    }
    expect(noise.lines).toEqual([]);
  });

  it('verifies the server against ssl_ca_certs, and leaves no key behind', async () => {
    const before = await snapshot(tlsRedis.client);
    const c = await open(`rediss://127.0.0.1:${tlsRedis.port}/0?ssl_cert_reqs=required&ssl_ca_certs=${encodeURIComponent(tls.ca)}`);
    try {
      expect(c.display).toBe(`rediss://127.0.0.1:${tlsRedis.port}/0?ssl_cert_reqs=required&ssl_ca_certs=${encodeURIComponent(tls.ca)}`);
      expect(c.endpoint).toEqual({ host: '127.0.0.1', port: tlsRedis.port });
      const got = await names(c);
      expect(got.responsive).toEqual([workers[1].name, workers[0].name].sort());
      expect(got.reached).toBe(2);
    } finally {
      await c.close();
    }
    expect(await snapshot(tlsRedis.client)).toEqual(before);
  });

  it('turns a certificate it cannot verify into one exit-3 line that says what to set', async () => {
    const otherCa = join(scratch, 'other-ca.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=not the test CA',
      '-keyout', join(scratch, 'other-ca.key'), '-out', otherCa]);
    for (const query of [`ssl_cert_reqs=CERT_REQUIRED&ssl_ca_certs=${otherCa}`, 'ssl_cert_reqs=CERT_OPTIONAL', '']) {
      const err = await failure(`rediss://127.0.0.1:${tlsRedis.port}/0${query ? `?${query}` : ''}`);
      expect(err).toBeInstanceOf(BrokerError);
      expect((err as BrokerError).exitCode).toBe(3);
      expect(err.message).not.toContain('\n');
      expect(err.message).toMatch(/TLS certificate problem: .*ssl_ca_certs=.*ssl_cert_reqs=CERT_NONE/);
    }
  });

  it('says a missing CA file is a usage problem', async () => {
    const err = await failure(`rediss://127.0.0.1:${tlsRedis.port}/0?ssl_ca_certs=${join(scratch, 'nope.pem')}`);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/ssl_ca_certs ".*nope\.pem" cannot be read \(ENOENT\)/);
  });

  it('checks the host name unless ssl_check_hostname=false', async () => {
    // A certificate from the test CA that names another host only.
    const [key, csr, cert, ext] = ['other.key', 'other.csr', 'other.pem', 'other.ext'].map((f) => join(scratch, f));
    await writeFile(ext, 'subjectAltName=DNS:elsewhere.invalid\n');
    await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=elsewhere', '-keyout', key, '-out', csr]);
    await run('openssl', ['x509', '-req', '-days', '1', '-in', csr, '-CA', tls.ca, '-CAkey', join(dirname(tls.ca), 'ca.key'),
      '-CAcreateserial', '-CAserial', join(scratch, 'ca.srl'), '-extfile', ext, '-out', cert]);
    const other = await startRedisTls({ ca: tls.ca, cert, key }, {}, 'elsewhere.invalid');
    try {
      const url = `rediss://127.0.0.1:${other.port}/0?ssl_ca_certs=${tls.ca}`;
      const err = await failure(url);
      expect(err).toBeInstanceOf(BrokerError);
      expect(err.message).not.toContain('\n');
      expect(err.message).toMatch(/TLS certificate problem: .*127\.0\.0\.1.*ssl_check_hostname=false/);
      const c = await open(`${url}&ssl_check_hostname=false`);
      await c.close();
    } finally {
      await other.stop();
    }
  });

  it('presents ssl_certfile/ssl_keyfile to a server that demands a client certificate', async () => {
    const strict = await startRedisTls(tls, { authClients: true, client: { cert: tls.clientCert, key: tls.clientKey } });
    try {
      const base = `rediss://127.0.0.1:${strict.port}/0?ssl_ca_certs=${tls.ca}`;
      const err = await failure(base);
      expect(err).toBeInstanceOf(BrokerError);
      expect(err.message).not.toContain('\n');
      expect(err.message).toMatch(/client certificate.*ssl_certfile and ssl_keyfile/);
      const c = await open(`${base}&ssl_certfile=${tls.clientCert}&ssl_keyfile=${tls.clientKey}`);
      expect(await c.info().then((i) => i.kind)).toBe('redis');
      await c.close();
    } finally {
      await strict.stop();
    }
  });

  it('says when TLS and plain ports are mixed up', async () => {
    const toPlain = await failure(`rediss://127.0.0.1:${plain.port}/0?ssl_cert_reqs=CERT_NONE`);
    expect(toPlain).toBeInstanceOf(BrokerError);
    expect(toPlain.message).toMatch(/no answer within 1\.0 s \(slow, or not speaking TLS\? use redis:\/\/ for a plain port\)/);
    const toTls = await failure(`redis://127.0.0.1:${tlsRedis.port}/0`);
    expect(toTls).toBeInstanceOf(BrokerError);
    expect(toTls.message).toMatch(/connection closed by the server \(not a Redis server, or TLS mismatch\?\)/);
  });
});

describe('Redis Sentinel', () => {
  it('reaches the master through the sentinel, past a dead one, and hears workers of both channel forms', async () => {
    const dead = await freePort();
    const before = await snapshot(plain.client);
    const c = await open(`sentinel://127.0.0.1:${dead};sentinel://127.0.0.1:${sentinel.port}/0?master_name=${sentinel.masterName}`);
    try {
      expect(c.endpoint).toEqual({ host: '127.0.0.1', port: plain.port });
      expect(c.display).toContain(`(master ${sentinel.masterName} at 127.0.0.1:${plain.port})`);
      const got = await names(c);
      expect(got.responsive).toEqual([workers[3].name, workers[2].name].sort());
      // One listener per worker, though every method went out on two channels.
      expect(got.reached).toBe(2);
      // Both answered every method, so collection ended well before the timeout.
      expect(got.ms).toBeLessThan(3000);
      const ev = await c.listen({ seconds: 2.5 });
      expect([...ev.workers.keys()].sort()).toEqual([workers[3].name, workers[2].name].sort());
    } finally {
      await c.close();
    }
    expect(await snapshot(plain.client)).toEqual(before);
  });

  it('lets go of the sentinel once it has named the master', async () => {
    // A sentinel of its own: the workers keep opening connections to the shared one.
    const quiet = await startSentinel(plain.port, 'quiet-master');
    try {
      const count = async () => String(await quiet.client.call('CLIENT', 'LIST')).trim().split('\n').length;
      const idle = await count();
      const c = await open(`sentinel://127.0.0.1:${quiet.port}/0?master_name=quiet-master`);
      await c.workers({ timeoutMs: 300 });
      await c.listen({ seconds: 0.2 });
      await c.close();
      const deadline = Date.now() + 2000;
      while ((await count()) > idle && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await count()).toBe(idle);
    } finally {
      await quiet.stop();
    }
  });

  it('hears the sentinel worker when reaching the same Redis directly', async () => {
    const c = await open(plain.url);
    try {
      const got = await names(c);
      expect(got.responsive).toEqual([workers[3].name, workers[2].name].sort());
      expect(got.reached).toBe(2);
      expect(got.ms).toBeLessThan(3000);
    } finally {
      await c.close();
    }
  });

  it('skips a hung sentinel after the timeout', async () => {
    const hung = await silentServer();
    try {
      const t0 = Date.now();
      const c = await open(`sentinel://127.0.0.1:${hung.port};sentinel://127.0.0.1:${sentinel.port}/0?master_name=${sentinel.masterName}`, 500);
      const ms = Date.now() - t0;
      expect(c.endpoint).toEqual({ host: '127.0.0.1', port: plain.port });
      await c.close();
      expect(ms).toBeLessThan(2500);
    } finally {
      await hung.stop();
    }
  });

  it('reaches a sentinel worker with shutdown (kill --yes) over the direct connection too', async () => {
    const doomed = await startWorker(`sentinel://127.0.0.1:${sentinel.port}/0`, plain.client, { name: 'doomed-v1.0.0@%h', env: { FLEETDOC_TEST_MASTER_NAME: sentinel.masterName } });
    try {
      await listening(plain, 3);
      const c = await open(plain.url);
      try {
        expect(await c.answering(doomed.name, 3000)).toBe(true);
        const exited = new Promise((r) => doomed.proc.once('exit', r));
        await c.shutdown([doomed.name]);
        await expect(Promise.race([exited.then(() => 'exited'), new Promise((r) => setTimeout(() => r('still running'), 15_000))])).resolves.toBe('exited');
      } finally {
        await c.close();
      }
    } finally {
      await doomed.stop();
    }
  });

  it('takes the master name from the transport options', async () => {
    const c = await openRedis(parseBrokerUrl(`sentinel://127.0.0.1:${sentinel.port}`, { master_name: sentinel.masterName }), 2000);
    expect(c.endpoint).toEqual({ host: '127.0.0.1', port: plain.port });
    await c.close();
  });

  it('says how to give a missing master name, and when no sentinel knows it', async () => {
    const missing = await failure(`sentinel://127.0.0.1:${sentinel.port}/0`);
    expect(missing).toBeInstanceOf(UsageError);
    expect(missing.message).toContain('--broker-transport-option master_name=NAME');
    const unknown = await failure(`sentinel://127.0.0.1:${sentinel.port}/0?master_name=nosuch`);
    expect(unknown).toBeInstanceOf(BrokerError);
    expect(unknown.message).toMatch(/no sentinel knows a master named "nosuch"/);
  });

  it('fails in one line when no sentinel answers', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const err = await failure(`sentinel://127.0.0.1:${a};sentinel://127.0.0.1:${b}/0?master_name=m`);
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.message).not.toContain('\n');
    expect(err.message).toMatch(new RegExp(`${a}.*${b}.*no sentinel answered`));
  });
});

describe('failover lists', () => {
  it('uses the first URL that answers, and says which', async () => {
    const dead = await freePort();
    const c = await open(`redis://127.0.0.1:${dead}/0;${plain.url}`);
    try {
      expect(c.display).toBe(plain.url);
      expect(c.endpoint).toEqual({ host: '127.0.0.1', port: plain.port });
      expect((await names(c)).responsive).toContain(workers[3].name);
    } finally {
      await c.close();
    }
  });

  it('gives up on a hung first entry after the timeout and goes on to the next', async () => {
    const hung = await silentServer();
    try {
      const t0 = Date.now();
      const c = await open(`redis://127.0.0.1:${hung.port}/0;${plain.url}`, 500);
      const ms = Date.now() - t0;
      await c.close();
      expect(c.display).toBe(plain.url);
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(2000);
    } finally {
      await hung.stop();
    }
  });

  it('names every URL, passwords masked, when none answers', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const err = await failure(`redis://:s3cret@127.0.0.1:${a}/0;redis://user:hunter2@127.0.0.1:${b}/1`);
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.message).not.toContain('\n');
    expect(err.message).toContain(`redis://:****@127.0.0.1:${a}/0: connection refused`);
    expect(err.message).toContain(`redis://user:****@127.0.0.1:${b}/1: connection refused`);
    expect(err.message).not.toMatch(/s3cret|hunter2/);
  });
});

describe('through the CLI', () => {
  const cli = async (url: string) => {
    const res = await runCli(['workers', '-b', url, '--json', '--no-docker', '--server-version', '1.0.0']);
    const names = res.stdout ? (JSON.parse(res.stdout).workers as { name: string; responsive: boolean }[]).filter((w) => w.responsive).map((w) => w.name).sort() : [];
    return { ...res, names };
  };

  it('lists the workers of a TLS Redis, with nothing on stderr and no key left behind', async () => {
    const before = await snapshot(tlsRedis.client);
    for (const query of ['ssl_cert_reqs=CERT_NONE', `ssl_cert_reqs=CERT_REQUIRED&ssl_ca_certs=${tls.ca}`]) {
      const res = await cli(`rediss://127.0.0.1:${tlsRedis.port}/0?${query}`);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.names).toEqual([workers[1].name, workers[0].name].sort());
    }
    expect(await snapshot(tlsRedis.client)).toEqual(before);
  });

  it('lists workers of both kombu channel forms through the Sentinel', async () => {
    const before = await snapshot(plain.client);
    const res = await cli(`sentinel://127.0.0.1:${sentinel.port}/0?master_name=${sentinel.masterName}`);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.names).toEqual([workers[3].name, workers[2].name].sort());
    expect(await snapshot(plain.client)).toEqual(before);
  });

  it('takes the master name from --broker-transport-option, and asks for it when missing', async () => {
    const url = `sentinel://127.0.0.1:${sentinel.port}/0`;
    const res = await runCli(['workers', '-b', url, '--broker-transport-option', `master_name=${sentinel.masterName}`, '--json', '--no-docker', '--server-version', '1.0.0']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).workers.map((w: { name: string }) => w.name).sort()).toEqual([workers[3].name, workers[2].name].sort());
    const missing = await cli(url);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/^fleetdoc: .*--broker-transport-option master_name=NAME[^\n]*\n$/);
  });

  it('uses the first URL of a failover list that answers', async () => {
    const res = await cli(`redis://127.0.0.1:${await freePort()}/0;${plain.url}`);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.names).toEqual([workers[3].name, workers[2].name].sort());
  });

  it('exits 3 with one line on a certificate it cannot verify', async () => {
    const res = await cli(`rediss://127.0.0.1:${tlsRedis.port}/0?ssl_cert_reqs=CERT_REQUIRED`);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^fleetdoc: broker rediss:\/\/127\.0\.0\.1:\d+\/0\?ssl_cert_reqs=CERT_REQUIRED: TLS certificate problem: [^\n]*ssl_ca_certs=[^\n]*\n$/);
  });
});
