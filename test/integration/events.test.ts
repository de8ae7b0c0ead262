// Heartbeats from real Celery workers on a real redis-server, plus crafted messages on the same channels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { connectBroker, type BrokerConnection } from '../../src/sources/broker/redis/connect.js';
import { encodeMessage } from '../../src/sources/broker/envelope.js';
import { listenHeartbeats } from '../../src/sources/broker/redis/events.js';
import { parseBrokerUrl } from '../../src/sources/broker/url.js';
import { startWorker, HOST, type CeleryWorker } from '../helpers/celery.js';
import { snapshot, startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
let conn: BrokerConnection;
const workers: CeleryWorker[] = [];
// Workers hold pattern subscriptions of their own (pidbox); ours come on top.
let basePatterns = 0;
let initial: Record<string, unknown>;
const patterns = async () => Number(await redis.client.call('PUBSUB', 'NUMPAT'));

beforeAll(async () => {
  redis = await startRedis();
  workers.push(...(await Promise.all([
    startWorker(redis.url, redis.client, { name: 'hb-a@%h', queues: ['celery'] }),
    startWorker(redis.url, redis.client, { name: 'hb-b@%h', queues: ['celery'] }),
  ])));
  conn = await connectBroker(parseBrokerUrl(redis.url), 1000);
  basePatterns = await patterns();
  initial = await keys();
});

afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null) process.kill(w.pid, 'SIGCONT');
  await Promise.all(workers.map((w) => w.stop()));
  await conn?.close();
  await redis?.stop();
});

/** Publish once our pattern subscription is in place (pub/sub keeps no backlog). */
async function publishWhileListening(channel: string, messages: string[]): Promise<void> {
  const deadline = Date.now() + 2000;
  while ((await patterns()) <= basePatterns) {
    if (Date.now() > deadline) throw new Error('listener never subscribed');
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const m of messages) await redis.client.publish(channel, m);
}

const heartbeat = (hostname: string, extra: Record<string, unknown> = {}) => ({
  hostname, utcoffset: 0, pid: 1, clock: 1, freq: 2.0, active: 3, processed: 7, loadavg: [0.1, 0.2, 0.3],
  sw_ident: 'py-celery', sw_ver: '5.2.6', sw_sys: 'Linux', timestamp: Date.now() / 1000, type: 'worker-heartbeat', ...extra,
});

// Idle workers may take kombu's restore lock now and then; it is theirs, not ours.
const keys = async () => {
  const snap = await snapshot(redis.client);
  delete snap.unacked_mutex;
  return snap;
};

describe('listenHeartbeats', () => {
  it('hears every running worker within one listen window', async () => {
    const before = await keys();
    const t0 = Date.now() / 1000;
    const { workers: beats, warnings } = await listenHeartbeats(conn, { seconds: 2.5 });
    expect(warnings).toEqual([]);
    expect([...beats.keys()].sort()).toEqual([`hb-a@${HOST}`, `hb-b@${HOST}`]);
    for (const hb of beats.values()) {
      expect(hb).toMatchObject({ active: 0, freq: 2, offline: false, sw_ver: expect.stringMatching(/^\d+\.\d+\.\d+/) });
      expect(hb.loadavg).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
      expect(hb.processed).toBe(0);
      expect(hb.count).toBeGreaterThanOrEqual(1);
      expect(Math.abs(hb.last_heartbeat_at - t0)).toBeLessThan(10);
      expect(hb.received_at).toBeGreaterThanOrEqual(t0);
    }
    expect(await patterns()).toBe(basePatterns);
    expect(await keys()).toEqual(before);
  });

  it('no longer hears a worker that is SIGSTOPped', async () => {
    process.kill(workers[1].pid, 'SIGSTOP');
    try {
      const { workers: beats } = await listenHeartbeats(conn, { seconds: 2.5 });
      expect([...beats.keys()]).toEqual([`hb-a@${HOST}`]);
    } finally {
      process.kill(workers[1].pid, 'SIGCONT');
    }
  });

  it('skips garbage with one warning line and reads task.multi arrays', async () => {
    const channel = '/0.celeryev/worker.heartbeat';
    const multi = encodeMessage(
      [{ type: 'task-received', uuid: 'x', hostname: 'ghost@nowhere' }, heartbeat('ghost@nowhere'), 'not an event'],
      { exchange: 'celeryev', routingKey: 'task.multi' },
    );
    const badBase64 = JSON.stringify({ body: '%%%', 'content-type': 'application/json', properties: { body_encoding: 'base64' } });
    const listening = listenHeartbeats(conn, { seconds: 1.5 });
    await publishWhileListening(channel, ['not json at all', badBase64]);
    await redis.client.publish('/0.celeryev/task.multi', multi);
    const { workers: beats, warnings } = await listening;
    expect(beats.get('ghost@nowhere')).toMatchObject({ active: 3, processed: 7, freq: 2, sw_ver: '5.2.6', count: 1, offline: false });
    expect(beats.has(`hb-a@${HOST}`)).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^skipped 3 unreadable event messages: /);
    expect(warnings[0]).toMatch(/not valid JSON \(1\)/);
    expect(warnings[0]).toMatch(/not base64 \(1\)/);
  });

  it('marks worker-offline, and a later worker-online brings it back', async () => {
    const now = Date.now() / 1000;
    const ev = (type: string, at: number) => encodeMessage(heartbeat('bye@h', { type, timestamp: at }), { exchange: 'celeryev', routingKey: type.replace('-', '.') });
    const listening = listenHeartbeats(conn, { seconds: 0.8 });
    await publishWhileListening('/0.celeryev/worker.offline', [ev('worker-offline', now)]);
    await redis.client.publish('/0.celeryev/worker.heartbeat', ev('worker-heartbeat', now - 5)); // late, out of order
    expect((await listening).workers.get('bye@h')).toMatchObject({ offline: true, last_heartbeat_at: now, count: 2 });

    const again = listenHeartbeats(conn, { seconds: 0.8 });
    await publishWhileListening('/0.celeryev/worker.offline', [ev('worker-offline', now)]);
    await redis.client.publish('/0.celeryev/worker.online', ev('worker-online', now + 1));
    expect((await again).workers.get('bye@h')).toMatchObject({ offline: false, last_heartbeat_at: now + 1, count: 2 });
  });

  it('takes the global key prefix literally, glob characters included', async () => {
    const pconn = await connectBroker(parseBrokerUrl(`${redis.url}?global_keyprefix=pf*x:`), 1000);
    try {
      const listening = listenHeartbeats(pconn, { seconds: 0.8 });
      const msg = (name: string) => encodeMessage(heartbeat(name), { exchange: 'celeryev', routingKey: 'worker.heartbeat' });
      await publishWhileListening('pf*x:/0.celeryev/worker.heartbeat', [msg('mine@h')]);
      await redis.client.publish('pfZZx:/0.celeryev/worker.heartbeat', msg('other@h'));
      await redis.client.publish('/0.celeryev/worker.heartbeat', msg('unprefixed@h'));
      expect([...(await listening).workers.keys()]).toEqual(['mine@h']);
    } finally {
      await pconn.close();
    }
  });

  it('stops at once on abort, and unsubscribes', async () => {
    const ctl = new AbortController();
    const t0 = Date.now();
    const listening = listenHeartbeats(conn, { seconds: 30, signal: ctl.signal });
    await publishWhileListening('/0.celeryev/nothing', []);
    ctl.abort();
    await expect(listening).rejects.toBeInstanceOf(InterruptedError);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await patterns()).toBe(basePatterns);
    const clients = String(await redis.client.call('CLIENT', 'LIST'));
    expect(clients).not.toMatch(/name=fleetdoc-events/);
  });

  it('leaves the broker as it found it', async () => {
    expect(await keys()).toEqual(initial);
    expect(await patterns()).toBe(basePatterns);
  });
});
