// `fleetdoc queues` against a real redis-server, real Celery workers and tasks sent by the real client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST, sendTasks, startWorker, type CeleryWorker } from '../helpers/celery.js';
import { runCli } from '../helpers/cli.js';
import { snapshot, startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
const w: Record<string, CeleryWorker> = {};

beforeAll(async () => {
  redis = await startRedis();
  const start = (key: string, opts: Parameters<typeof startWorker>[2]) =>
    startWorker(redis.url, redis.client, opts).then((x) => { w[key] = x; });
  await Promise.all([
    start('gpuNew', { name: 'tundra-gpu-v0.13.0@%h', queues: ['gpu'] }),
    start('gpuOld', { name: 'celery@%h', queues: ['gpu'] }),
    start('main', { name: 'main-v0.13.0@%h', queues: ['celery'] }),
    start('slow', { name: 'render-v0.13.0@%h', queues: ['slow'], extra: ['--prefetch-multiplier=1'] }),
  ]);
  // Waiting tasks that nobody consumes, some of them with priorities (kombu's sub-lists).
  await sendTasks(redis.url, 'orphan', 3);
  await sendTasks(redis.url, 'orphan', 2, 'fleetapp.add', { priority: 9 });
  await sendTasks(redis.url, 'orphan', 1, 'fleetapp.add', { priority: 3 });
  // A long acks_late task, held by a worker that then hangs.
  await sendTasks(redis.url, 'slow', 1, 'fleetapp.sleep', { args: [120] });
  const deadline = Date.now() + 20_000;
  while ((await redis.client.hlen('unacked')) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 500));
  process.kill(w.slow.pid, 'SIGSTOP');
});

afterAll(async () => {
  if (w.slow) process.kill(w.slow.pid, 'SIGCONT');
  await Promise.all(Object.values(w).map((x) => x.stop()));
  await redis?.stop();
});

type Row = { name: string; [k: string]: unknown };
const queues = async (args: string[] = []) => {
  const res = await runCli(['queues', '--json', '--no-docker', '-b', redis.url, '--server-version', '0.13.0', ...args]);
  return { ...res, rows: Object.fromEntries((JSON.parse(res.stdout).queues as Row[]).map((q) => [q.name, q])) };
};

describe('fleetdoc queues on a real fleet', () => {
  it('counts waiting messages across priority sub-queues, with no compatible consumer as critical', async () => {
    const { rows, code } = await queues();
    expect(code).toBe(2);
    expect(rows.orphan).toMatchObject({
      messages: 6, unacked: 0, healthy: false, severity: 'critical',
      consumers: { compatible: [], incompatible: [], unresponsive: [] }, compatible_workers: 0,
    });
    expect((rows.orphan.problems as string[])[0]).toMatch(/6 messages waiting and no compatible/);
    // The priorities really went to kombu's sub-lists, so the 6 above includes them.
    expect(await redis.client.llen('orphan\x06\x169')).toBe(2);
    expect(await redis.client.llen('orphan\x06\x163')).toBe(1);
  });

  it('flags an incompatible consumer sharing a queue with a compatible one', async () => {
    const { rows } = await queues();
    expect(rows.gpu).toMatchObject({
      messages: 0, severity: 'critical', compatible_workers: 1, incompatible_workers: 1,
      consumers: { compatible: [`tundra-gpu-v0.13.0@${HOST}`], incompatible: [`celery@${HOST}`], unresponsive: [] },
    });
    expect(rows.gpu.problems).toContain(`incompatible consumer celery@${HOST} can take tasks`);
    expect(rows.celery).toMatchObject({ healthy: true, severity: 'ok', compatible_workers: 1 });
  });

  it('sees the unacked task held by the hung worker, with its age', async () => {
    const { rows } = await queues(['--unacked-age', '0']);
    expect(rows.slow).toMatchObject({ unacked: 1, messages: 0 });
    expect(rows.slow.oldest_unacked_age_s).toBeGreaterThanOrEqual(0);
    expect((rows.slow.problems as string[]).join(' ')).toMatch(/1 unacked task held by a worker that no longer answers/);
    const patient = await queues(['--unacked-age', '1h']);
    expect((patient.rows.slow.problems as string[]).join(' ')).not.toMatch(/unacked task/);
  });

  it('adds queues named with --queue and applies --min-workers per queue', async () => {
    const { rows } = await queues(['--queue', 'reports', '--min-workers', 'celery=2']);
    expect(rows.reports).toMatchObject({ messages: 0, healthy: true, idle: true, severity: 'ok' });
    expect(rows.celery).toMatchObject({ severity: 'warning' });
    expect((rows.celery.problems as string[])[0]).toMatch(/1 compatible consumer, fewer than the 2 wanted/);
  });

  it('never lists internal exchanges or reply keys as queues', async () => {
    const names = Object.keys((await queues()).rows);
    expect(names.filter((n) => /pidbox|celeryev|reply/.test(n))).toEqual([]);
  });

  it('changes nothing on the broker', async () => {
    const before = await snapshot(redis.client);
    await queues();
    await runCli(['queues', '--no-docker', '-b', redis.url]);
    expect(await snapshot(redis.client)).toEqual(before);
  });

  it('reports and skips bad input: garbage unacked entry, wrong key type, odd bytes', async () => {
    await redis.client.hset('unacked', 'garbage-tag', '{not json');
    await redis.client.set('weird', 'a string, not a list');
    await redis.client.sadd('_kombu.binding.weird', 'weird\x06\x16\x06\x16weird');
    await redis.client.sadd('_kombu.binding.odd', Buffer.from([0x6f, 0x64, 0x64, 0x06, 0x16, 0x06, 0x16, 0x6f, 0xff, 0xfe, 0x64]));
    try {
      const res = await queues();
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/1 unacked entries could not be read/);
      expect(res.stderr).toMatch(/not valid UTF-8; skipped/);
      expect(res.rows.weird).toMatchObject({ severity: 'warning' });
      expect((res.rows.weird.problems as string[])[0]).toMatch(/is not a list/);
      expect(res.rows.slow).toMatchObject({ unacked: 1 });
    } finally {
      await redis.client.hdel('unacked', 'garbage-tag');
      await redis.client.del('weird', '_kombu.binding.weird', '_kombu.binding.odd');
    }
  });
});
