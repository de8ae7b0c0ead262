// The RabbitMQ BrokerClient against a private rabbitmq-server node and real Celery workers.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerError, InterruptedError } from '../../src/errors.js';
import type { BrokerClient } from '../../src/sources/broker/client.js';
import { openBroker } from '../../src/sources/broker/open.js';
import { parseBrokerUrl } from '../../src/sources/broker/url.js';
import { runCli } from '../helpers/cli.js';
import { HOST, PYTHON, sendTasks, startWorker, type CeleryWorker } from '../helpers/celery.js';
import { pidboxReady, rabbitSnapshot, startRabbit, type RabbitNode } from '../helpers/rabbitmq.js';
import { freePort } from '../helpers/redis.js';

let rmq: RabbitNode;
let client: BrokerClient;
const workers: Record<string, CeleryWorker> = {};
const MAIN = `main-v1.2.0@${HOST}`;
const PLAIN = `celery@${HOST}`;
const STOPPED = `stopped-v1.2.0@${HOST}`;
const open = (url: string, api?: string) => openBroker(parseBrokerUrl(url, api ? { rabbitmq_api: api } : {}), 2000);
// Through the management API (rabbitmqctl is too slow to look while a call is running).
const queueList = async () => ((await rmq.get('/api/queues/%2F?columns=name')) as { name: string }[]).map((q) => q.name);
const cli = (extra: string[] = []) =>
  runCli(['workers', '-b', rmq.url, '--json', '--no-docker', '--rabbitmq-api', `http://127.0.0.1:${rmq.apiPort}`, ...extra]);
const waitFor = async (what: string, check: () => Promise<boolean>) => {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

beforeAll(async () => {
  rmq = await startRabbit();
  const ready = pidboxReady(rmq);
  const start = (key: string, opts: Parameters<typeof startWorker>[2]) =>
    startWorker(rmq.url, ready, opts).then((w) => { workers[key] = w; });
  await Promise.all([
    start('main', { name: 'main-v1.2.0@%h', queues: ['celery', 'gpu', 'evq'], concurrency: 2, extra: ['-E'] }),
    start('plain', { queues: ['gpu'] }),
    start('stopped', { name: 'stopped-v1.2.0@%h', queues: ['stopq'] }),
  ]);
  process.kill(workers.stopped.pid, 'SIGSTOP');
  // Tasks nobody consumes, and tasks the stopped worker has prefetched but will never ack.
  await sendTasks(rmq.url, 'nobody', 3);
  await sendTasks(rmq.url, 'stopq', 2);
  await waitFor('unacked stats of stopq', async () =>
    ((await rmq.get('/api/queues/%2F/stopq')) as { messages_unacknowledged?: number } | null)?.messages_unacknowledged === 2);
  client = await open(rmq.url, rmq.api);
});

afterAll(async () => {
  await client?.close();
  if (workers.stopped) process.kill(workers.stopped.pid, 'SIGCONT');
  await Promise.all(Object.values(workers).map((w) => w.stop()));
  await rmq?.stop();
});

describe('RabbitMQ broker client', () => {
  it('finds every worker by remote control, with the roster and consumer counts', async () => {
    const res = await client.workers({ timeoutMs: 1500 });
    expect(res.roster).toEqual([MAIN, PLAIN, STOPPED].sort());
    expect(Object.fromEntries(res.rosterConsumers!)).toEqual({ [MAIN]: 1, [PLAIN]: 1, [STOPPED]: 1 });
    expect(res.reached).toBe(3);
    const by = Object.fromEntries(res.workers.map((w) => [w.name, w]));
    expect(by[MAIN]).toMatchObject({ responsive: true, in_roster: true, pid: workers.main.pid, concurrency: 2, queues: ['celery', 'gpu', 'evq'] });
    expect(by[MAIN].children).toHaveLength(2);
    expect(by[MAIN].broker).toEqual({ hostname: '127.0.0.1', port: rmq.port, virtual_host: '/' });
    expect(by[PLAIN]).toMatchObject({ responsive: true, pid: workers.plain.pid, queues: ['gpu'] });
    expect(by[STOPPED]).toMatchObject({ responsive: false, in_roster: true, pid: null, queues: null });
    expect(res.warnings).toEqual([]);
  });

  it('returns as soon as every addressed worker answered', async () => {
    const t0 = Date.now();
    const res = await client.workers({ timeoutMs: 5000, destination: [MAIN, PLAIN], tasks: true });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(res.workers.map((w) => [w.name, w.responsive])).toEqual([[MAIN, true], [PLAIN, true]].sort());
    expect(res.heldTasks.get(MAIN)).toEqual([]);
    expect(await client.answering(MAIN, 1000)).toBe(true);
    expect(await client.answering(STOPPED, 400)).toBe(false);
  });

  it('lists the task queues, internal ones left out, and reads them passively', async () => {
    const { names, warnings } = await client.queueNames();
    expect(warnings).toEqual([]);
    expect(names).toEqual(['celery', 'evq', 'gpu', 'nobody', 'stopq']);
    const res = await client.readQueues(['nobody', 'stopq', 'gpu', 'missing', 'celery'], new Set());
    const by = Object.fromEntries(res.queues.map((q) => [q.name, q]));
    expect(by.nobody).toMatchObject({ messages: 3, unacked: 0, consumers: 0, readProblems: [] });
    expect(by.stopq).toMatchObject({ messages: 0, unacked: 2, consumers: 1, readProblems: [] });
    expect(by.gpu).toMatchObject({ messages: 0, consumers: 2 });
    expect(by.missing).toMatchObject({ consumers: null, readProblems: ['no such queue'] });
    // The channel a 404 closed was replaced: the queue after it still reads.
    expect(by.celery).toMatchObject({ consumers: 1, readProblems: [] });
  });

  it('hears heartbeats and counts task outcomes from the celeryev exchange', async () => {
    const listening = client.listen({ seconds: 4 });
    await new Promise((r) => setTimeout(r, 300));
    await sendTasks(rmq.url, 'evq', 3);
    // Our event queue is there while we listen, and gone as soon as we stop (the client stays open).
    expect((await queueList()).filter((q) => q.startsWith('celeryev.fleetdoc-'))).toHaveLength(1);
    const ev = await listening;
    expect((await queueList()).filter((q) => q.startsWith('celeryev.fleetdoc-'))).toEqual([]);
    expect([...ev.workers.keys()].sort()).toEqual([MAIN, PLAIN].sort());
    expect(ev.workers.get(MAIN)).toMatchObject({ sw_ver: expect.stringMatching(/^5\./), offline: false, freq: 2 });
    expect(ev.tasks.get(MAIN)).toEqual({ succeeded: 3, failed: 0, retried: 0, rejected: 0 });
    expect(ev.warnings).toEqual([]);
  });

  it('reports version, latency, alarms and connections', async () => {
    const info = await client.info();
    expect(info).toMatchObject({ kind: 'rabbitmq', version: expect.stringMatching(/^3\.\d+\.\d+/), alarms: [] });
    expect(info.latency_ms).toBeGreaterThan(0);
    const conns = await client.clients();
    expect(conns.ok).toBe(true);
    expect(conns.clients.length).toBeGreaterThanOrEqual(4);
    for (const c of conns.clients) expect(c).toMatchObject({ addr: expect.stringMatching(/^127\.0\.0\.1:\d+$/), laddr: `127.0.0.1:${rmq.port}`, vhost: '/', db: null });
    expect(conns.clients.some((c) => c.subscriptions > 0)).toBe(true);
  });

  it('leaves queues, exchanges and bindings as they were, on a fresh broker and with kombu reply exchange', async () => {
    const run = async () => {
      const c = await open(rmq.url, rmq.api);
      await c.workers({ timeoutMs: 800 });
      await c.listen({ seconds: 0.5 });
      await c.queueNames();
      await c.readQueues(['nobody', 'missing'], new Set());
      await c.info();
      await c.clients();
      await c.close();
      expect((await cli(['--server-version', '1.2.0'])).code).toBe(2);
    };
    const noReplyExchange = await rabbitSnapshot(rmq);
    expect(JSON.stringify(noReplyExchange.exchanges)).not.toContain('reply.celery.pidbox');
    await run();
    expect(await rabbitSnapshot(rmq)).toEqual(noReplyExchange);
    // celery inspect creates kombu's reply exchange; from then on fleetdoc binds to it.
    await new Promise<void>((resolve, reject) =>
      execFile(PYTHON, ['-m', 'celery', '-A', 'fleetapp', 'inspect', 'ping', '-d', MAIN], {
        cwd: fileURLToPath(new URL('../fixtures/app/', import.meta.url)), env: { ...process.env, FLEETDOC_TEST_BROKER: rmq.url },
      }, (err) => (err ? reject(err) : resolve())));
    const before = await rabbitSnapshot(rmq);
    expect(JSON.stringify(before.exchanges)).toContain('reply.celery.pidbox');
    await run();
    const res = await client.workers({ timeoutMs: 3000, destination: [MAIN] });
    expect(res.workers[0]).toMatchObject({ name: MAIN, responsive: true });
    expect(await rabbitSnapshot(rmq)).toEqual(before);
  });

  it('sends shutdown to the named worker only', async () => {
    workers.bye = await startWorker(rmq.url, pidboxReady(rmq), { name: 'bye@%h', queues: ['byeq'] });
    const exited = new Promise((r) => workers.bye.proc.once('exit', r));
    await client.shutdown([workers.bye.name]);
    await exited;
    expect(await client.answering(MAIN, 1000)).toBe(true);
  });

  it('works without the management API, saying what it could not tell', async () => {
    const c = await open(rmq.url, `http://127.0.0.1:${await freePort()}`);
    try {
      const res = await c.workers({ timeoutMs: 800 });
      expect(res.roster).toEqual([]);
      expect(res.reached).toBeNull();
      expect(res.workers.filter((w) => w.responsive).map((w) => w.name).sort()).toEqual([MAIN, PLAIN].sort());
      expect(res.warnings).toEqual([expect.stringMatching(/^roster unknown: management API at http:\/\/127\.0\.0\.1:\d+ refused the connection$/)]);
      expect(await c.queueNames()).toMatchObject({ names: [], warnings: [expect.stringMatching(/management API/)] });
      const q = await c.readQueues(['nobody'], new Set());
      expect(q.queues[0]).toMatchObject({ messages: 3, consumers: 0 });
      expect(q.warnings).toEqual([expect.stringMatching(/^unacked counts unknown/)]);
      expect(await c.clients()).toMatchObject({ ok: false, clients: [], error: expect.stringMatching(/management API/) });
      expect((await c.info()).version).toMatch(/^3\./);
    } finally {
      await c.close();
    }
  });

  it('turns a bad password, an unknown vhost and a refused port into one-line BrokerErrors', async () => {
    const fail = (url: string) => open(url).then(() => { throw new Error('opened'); }, (e: unknown) => e as Error);
    const bad = await fail(`amqp://guest:wrong@127.0.0.1:${rmq.port}//`);
    expect(bad).toBeInstanceOf(BrokerError);
    expect(bad.message).toBe(`broker amqp://guest:****@127.0.0.1:${rmq.port}//: authentication failed (check the user and password in the URL or CELERY_BROKER_URL)`);
    const vhost = await fail(`amqp://guest:guest@127.0.0.1:${rmq.port}/nope`);
    expect(vhost).toBeInstanceOf(BrokerError);
    expect(vhost.message).toMatch(/virtual host "nope" not found/);
    const port = await freePort();
    const refused = await fail(`amqp://guest:guest@127.0.0.1:${port}//`);
    expect(refused).toBeInstanceOf(BrokerError);
    expect(refused.message).toBe(`broker amqp://guest:****@127.0.0.1:${port}//: connection refused (is rabbitmq-server running there?)`);
    // amqps:// against the plain port, and a port that accepts but never speaks.
    const tls = await fail(`amqps://guest:guest@127.0.0.1:${rmq.port}//`);
    expect(tls).toBeInstanceOf(BrokerError);
    expect(tls.message).toMatch(/TLS handshake failed|connection closed during the handshake/);
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const silentPort = (silent.address() as { port: number }).port;
    const t0 = Date.now();
    const mute = await openBroker(parseBrokerUrl(`amqp://guest:guest@127.0.0.1:${silentPort}//`), 500).then(() => null, (e: Error) => e);
    silent.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(mute?.message).toBe(`broker amqp://guest:****@127.0.0.1:${silentPort}//: no answer within 0.5 s (slow or not a RabbitMQ server?)`);
    for (const e of [bad, vhost, refused, tls, mute!]) expect(e.message).not.toContain('\n');
  });

  it('removes its reply queue when interrupted mid-broadcast', async () => {
    const before = await rabbitSnapshot(rmq);
    const ctl = new AbortController();
    // The stopped worker never answers, so this would wait the full 10 s.
    const asking = client.workers({ timeoutMs: 10_000, signal: ctl.signal });
    await new Promise((r) => setTimeout(r, 300));
    expect((await queueList()).filter((q) => q.endsWith('.reply.celery.pidbox'))).toHaveLength(1);
    ctl.abort();
    const t0 = Date.now();
    await expect(asking).rejects.toBeInstanceOf(InterruptedError);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await rabbitSnapshot(rmq)).toEqual(before);
  });
});

describe('fleetdoc workers -b amqp://', () => {
  it('classifies a RabbitMQ fleet end to end', async () => {
    const res = await cli(['--server-version', '1.2.0']);
    expect(res.code).toBe(2);
    const doc = JSON.parse(res.stdout);
    const by = Object.fromEntries(doc.workers.map((w: { name: string }) => [w.name, w]));
    expect(Object.keys(by).sort()).toEqual([MAIN, PLAIN, STOPPED].sort());
    expect(by[MAIN]).toMatchObject({ status: 'compatible', responsive: true, pid: workers.main.pid, queues: ['celery', 'gpu', 'evq'], concurrency: 2, in_roster: true });
    expect(by[PLAIN]).toMatchObject({ status: 'unversioned', reason: 'no_version_tag', responsive: true, pid: workers.plain.pid });
    expect(by[STOPPED]).toMatchObject({ status: 'compatible', responsive: false, in_roster: true, pid: null, state: 'unresponsive' });
    expect(doc.summary).toMatchObject({ total: 3, compatible: 2, unversioned: 1, mismatched: 0, unresponsive: 1 });
  });

  it('exits 3 with one line for a bad password', async () => {
    const res = await runCli(['workers', '--json', '--no-docker', '-b', `amqp://guest:wrong@127.0.0.1:${rmq.port}//`]);
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/authentication failed/)]);
    expect(res.stderr).not.toContain('wrong');
  });
});

describe('a roster ghost on RabbitMQ', () => {
  // A pidbox queue that outlived its worker, as a durable one does (kombu's are auto-delete, but
  // older setups and hand-made queues are not): declared here by the test, on its own broker.
  const GHOST = `ghost-v1.2.0@${HOST}`;

  it('is listed as gone, from its queue of 0 consumers, without waiting out the timeout', async () => {
    const amqp = await import('amqplib');
    const conn = await amqp.connect(rmq.url);
    const ch = await conn.createChannel();
    await ch.assertQueue(`${GHOST}.celery.pidbox`, { durable: true, autoDelete: false });
    await ch.bindQueue(`${GHOST}.celery.pidbox`, 'celery.pidbox', '');
    try {
      // The API counts a new queue's consumers only at its next statistics round (every 5 s).
      await waitFor('the ghost counted in the API', async () =>
        ((await rmq.get(`/api/queues/%2F/${encodeURIComponent(`${GHOST}.celery.pidbox`)}`)) as { consumers?: number } | null)?.consumers === 0);
      // Addressed with a live worker, it is not waited for: a queue nobody consumes can never answer.
      const t0 = Date.now();
      const res = await client.workers({ timeoutMs: 5000, destination: [MAIN, GHOST] });
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(res.workers.map((w) => [w.name, w.responsive])).toEqual([[GHOST, false], [MAIN, true]]);
      expect(res.rosterConsumers!.get(GHOST)).toBe(0);
      const doc = JSON.parse((await cli(['--server-version', '1.2.0'])).stdout);
      const ghost = doc.workers.find((w: { name: string }) => w.name === GHOST);
      expect(ghost).toMatchObject({ responsive: false, in_roster: true, state: 'gone' });
      // The stopped worker still holds its channel: silent, but not a ghost.
      expect(doc.workers.find((w: { name: string }) => w.name === STOPPED)).toMatchObject({ state: 'unresponsive' });
      // Read-only: the ghost queue is reported, never deleted by a reading command.
      expect(await queueList()).toContain(`${GHOST}.celery.pidbox`);
    } finally {
      await ch.deleteQueue(`${GHOST}.celery.pidbox`);
      await conn.close();
    }
  });
});
