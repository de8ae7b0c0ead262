// A healthy fleet, odd replies on the wire, and brokers that fail in every way we know.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module shared with the benchmark
import { startResponders } from '../../bench/responder.mjs';
import { startWorker, HOST, type CeleryWorker } from '../helpers/celery.js';
import { runCli } from '../helpers/cli.js';
import { freePort, snapshot, startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
let worker: CeleryWorker;

beforeAll(async () => {
  redis = await startRedis();
  worker = await startWorker(redis.url, redis.client, { name: 'main-v0.13.0@%h', queues: ['celery'] });
});

afterAll(async () => {
  await worker?.stop();
  await redis?.stop();
});

describe('a healthy fleet', () => {
  it('exits 0 and returns as soon as the roster has answered', async () => {
    const t0 = Date.now();
    const res = await runCli(['workers', '--json', '--no-docker', '-b', redis.url, '--server-version', '0.13.0', '--timeout', '5']);
    expect(res.code).toBe(0);
    // Far below the 5 s timeout: fleetdoc does not wait for stragglers that cannot exist.
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(JSON.parse(res.stdout).workers).toEqual([expect.objectContaining({ name: `main-v0.13.0@${HOST}`, status: 'compatible', pid: worker.pid })]);
  });

  it('reads the server version from a Python file', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/fleetdoc-ver-');
    writeFileSync(`${dir}/version.py`, '# app\n__version__ = "0.13.0"\n');
    const res = await runCli(['workers', '--json', '--no-docker', '-b', redis.url, '--server-version-from', `${dir}/version.py`]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).server_version).toBe('0.13.0');
  });
});

describe('Ctrl-C', () => {
  it('cleans up the reply key and binding, and exits 130 without output', async () => {
    // A roster member that never answers keeps the run waiting until it is interrupted.
    const ghost = '\x06\x16\x06\x16silent-v0.13.0@nowhere.celery.pidbox';
    await redis.client.sadd('_kombu.binding.celery.pidbox', ghost);
    try {
      const before = await snapshot(redis.client);
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(), 300);
      const t0 = Date.now();
      const res = await runCli(['workers', '--json', '--no-docker', '-b', redis.url, '-t', '10'], { signal: ctl.signal });
      expect(res.code).toBe(130);
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(res.stdout).toBe('');
      expect(await snapshot(redis.client)).toEqual(before);
    } finally {
      await redis.client.srem('_kombu.binding.celery.pidbox', ghost);
    }
  });
});

describe('garbage on the wire', () => {
  it.each(['json', 'base64'])('skips a reply that is not valid %s, warns, and still reads the rest', async (garbage) => {
    const fake = await startResponders({ url: redis.url, names: ['fake-v0.13.0@sim'], garbage });
    try {
      const before = await snapshot(redis.client);
      const res = await runCli(['workers', '--json', '--no-docker', '-b', redis.url, '--server-version', '0.13.0']);
      expect(res.code).toBe(0);
      expect(res.stderr).toMatch(/warning: skipped a reply that could not be read/);
      const names = JSON.parse(res.stdout).workers.map((w: { name: string }) => w.name);
      expect(names).toContain('fake-v0.13.0@sim');
      expect(names).not.toContain('x');
      expect(await snapshot(redis.client)).toEqual(before);
    } finally {
      await fake.stop();
    }
  });
});

describe('brokers that fail', () => {
  let silent: Server;
  let silentPort: number;
  beforeAll(async () => {
    silentPort = await freePort();
    // Accepts connections and never answers: a hung or wrong service.
    silent = createServer(() => undefined).listen(silentPort, '127.0.0.1');
  });
  afterAll(() => silent?.close());

  it('an unreachable broker: exit 3, one line, no stack', async () => {
    const port = await freePort();
    const res = await runCli(['workers', '-b', `redis://:s3cret@127.0.0.1:${port}/0`]);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/connection refused/);
    expect(res.stderr).not.toMatch(/s3cret|\n\s+at /);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a broker that never answers: exit 3 within the timeout', async () => {
    const t0 = Date.now();
    const res = await runCli(['workers', '-b', `redis://127.0.0.1:${silentPort}/0`, '-t', '0.5']);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/no answer within 0\.5 s/);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('a wrong password: exit 3, masked', async () => {
    const locked = await startRedis(['--requirepass', 'right']);
    try {
      const res = await runCli(['workers', '-b', `redis://:wrong@127.0.0.1:${locked.port}/0`]);
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(/authentication failed/);
      expect(res.stderr).toMatch(/:\*\*\*\*@/);
      expect(res.stderr).not.toMatch(/wrong/);
    } finally {
      await locked.stop();
    }
  });

  it.each([
    ['http://example.invalid/', /unsupported broker scheme/],
    ['not a url', /not a broker URL/],
    ['redis://127.0.0.1:6379/zero', /bad db number/],
  ])('a URL that is not a broker URL (%s): exit 64', async (url, msg) => {
    const res = await runCli(['workers', '-b', url]);
    expect(res.code).toBe(64);
    expect(res.stderr).toMatch(msg);
  });

  it('a bad flag: exit 64', async () => {
    expect((await runCli(['workers', '--frobnicate'])).code).toBe(64);
    expect((await runCli(['workers', '-t', 'soon'])).code).toBe(64);
  });
});
