// `fleetdoc workers` against a real redis-server and real Celery workers.
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, HOST, type CeleryWorker } from '../helpers/celery.js';
import { runCli } from '../helpers/cli.js';
import { snapshot, startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
const workers: Record<string, CeleryWorker> = {};
const PWNED = '/tmp/fleetdoc-pwned-workers';

beforeAll(async () => {
  rmSync(PWNED, { force: true });
  redis = await startRedis();
  const start = (key: string, opts: Parameters<typeof startWorker>[2]) =>
    startWorker(redis.url, redis.client, opts).then((w) => { workers[key] = w; });
  await Promise.all([
    start('main', { name: 'main-v1.2.0@%h', queues: ['celery', 'gpu'], concurrency: 2 }),
    start('celery', { queues: ['gpu'] }),
    start('old', { name: 'old-v1.1.0@%h', queues: ['gpu'] }),
    start('next', { name: 'next-v1.3.0rc1@%h', queues: ['celery'] }),
    start('hostile', { name: `x;touch ${PWNED} $(id)@%h`, queues: ['celery'] }),
    start('stopped', { name: 'stopped-v1.2.0@%h', queues: ['celery'] }),
  ]);
  process.kill(workers.stopped.pid, 'SIGSTOP');
});

afterAll(async () => {
  if (workers.stopped) process.kill(workers.stopped.pid, 'SIGCONT');
  await Promise.all(Object.values(workers).map((w) => w.stop()));
  await redis?.stop();
});

const json = (args: string[] = []) => runCli(['workers', '--json', '--no-docker', '-b', redis.url, ...args]);

describe('fleetdoc workers on a real fleet', () => {
  it('classifies every worker, with its queues and real pids', async () => {
    const res = await json(['--server-version', '1.2.0']);
    expect(res.code).toBe(2);
    const doc = JSON.parse(res.stdout);
    expect(doc.server_version).toBe('1.2.0');
    const by = Object.fromEntries(doc.workers.map((w: { name: string }) => [w.name, w]));
    expect(Object.keys(by).sort()).toEqual(Object.values(workers).map((w) => w.name).sort());

    expect(by[`main-v1.2.0@${HOST}`]).toMatchObject({
      basename: 'main', host: HOST, version: '1.2.0', status: 'compatible', compatible: true, reason: null,
      responsive: true, queues: ['celery', 'gpu'], pid: workers.main.pid, concurrency: 2, sources: ['broker'],
    });
    expect(by[`main-v1.2.0@${HOST}`].children).toHaveLength(2);
    expect(by[`celery@${HOST}`]).toMatchObject({ status: 'unversioned', compatible: false, reason: 'no_version_tag', queues: ['gpu'], pid: workers.celery.pid });
    expect(by[`old-v1.1.0@${HOST}`]).toMatchObject({ status: 'mismatched', drift: 'behind', reason: 'version_mismatch', pid: workers.old.pid });
    expect(by[`next-v1.3.0rc1@${HOST}`]).toMatchObject({ status: 'mismatched', drift: 'ahead', version: '1.3.0rc1' });
    expect(by[workers.hostile.name]).toMatchObject({ status: 'unversioned', responsive: true });
    expect(by[`stopped-v1.2.0@${HOST}`]).toMatchObject({ status: 'compatible', responsive: false, in_roster: true, pid: null, queues: [] });
    expect(doc.summary).toEqual({ total: 6, compatible: 2, unversioned: 2, mismatched: 2, unresponsive: 1, foreign: 0 });
    expect(existsSync(PWNED)).toBe(false);
  });

  it('leaves no reply key behind and changes no queue', async () => {
    await redis.client.lpush('nobody', 'a-task-nobody-consumes');
    const before = await snapshot(redis.client);
    await json(['--server-version', '1.2.0']);
    await runCli(['workers', '--no-docker', '-b', redis.url]);
    const after = await snapshot(redis.client);
    expect(after).toEqual(before);
    expect(Object.keys(after).filter((k) => k.includes('reply'))).toEqual([]);
    await redis.client.del('nobody');
  });

  it('assumes a release, not the nightly, when none is given, and says which and why on stderr', async () => {
    const res = await json();
    const doc = JSON.parse(res.stdout);
    // 1.2.0 and 1.1.0 each have one responsive worker (stopped-v1.2.0 does not answer): the newer wins.
    expect(doc.server_version).toBe('1.2.0');
    expect(doc.workers.find((w: { name: string }) => w.name.startsWith('main-'))).toMatchObject({ status: 'compatible' });
    const info = res.stderr.split('\n').filter((l) => l.includes('assuming'));
    expect(info).toEqual([expect.stringMatching(/assuming 1\.2\.0: .*also seen: 1\.1\.0; pre-releases not counted: 1\.3\.0rc1\) \(set --server-version\)$/)]);
  });

  it('accepts a --compatible range, prereleases included', async () => {
    const res = await json(['--server-version', '1.2.0', '--compatible', '>=1.2.0 <1.4.0']);
    const next = JSON.parse(res.stdout).workers.find((w: { name: string }) => w.name.startsWith('next-'));
    expect(next).toMatchObject({ status: 'compatible', compatible: true });
  });

  it('prints a table with a summary line on a terminal, and bare rows when piped', async () => {
    const tty = await runCli(['workers', '--no-docker', '-b', redis.url, '--server-version', '1.2.0'], { tty: true, env: { NO_COLOR: '1' } });
    expect(tty.stdout).toMatch(/NAME.*VERSION.*STATUS/);
    expect(tty.stdout).toMatch(/6 workers: 2 compatible, 2 unversioned, 2 mismatched, 1 unresponsive/);
    expect(tty.stdout).not.toMatch(/\x1b\[/);
    const piped = await runCli(['workers', '--no-docker', '-b', redis.url, '--server-version', '1.2.0']);
    const rows = piped.stdout.trim().split('\n');
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.split('\t').length === 8)).toBe(true);
    expect(piped.stderr).toMatch(/6 workers/);
  });

  it('colours by status when FORCE_COLOR is set, never with --no-color', async () => {
    const forced = await runCli(['workers', '--no-docker', '-b', redis.url, '--server-version', '1.2.0'], { tty: true, env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(/\x1b\[3[12]m/);
    const off = await runCli(['workers', '--no-docker', '-b', redis.url, '--server-version', '1.2.0', '--no-color'], { tty: true, env: { FORCE_COLOR: '1' } });
    expect(off.stdout).not.toMatch(/\x1b\[/);
  });

  it('never makes an unversioned worker compatible, whatever the range', async () => {
    const res = await runCli(['workers', '--json', '--no-docker', '-b', redis.url, '--compatible', '*']);
    const doc = JSON.parse(res.stdout);
    expect(doc.workers.find((w: { name: string }) => w.name === `celery@${HOST}`)).toMatchObject({ compatible: false, status: 'unversioned' });
    expect(res.code).toBe(2);
  });
});
