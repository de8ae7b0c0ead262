// No verdict from silence, seen with the broker alone: a SIGSTOPped worker still holds its connection,
// so its roster entry is never called gone nor cleaned; a SIGKILLed worker's entry is, and only it.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendTasks, startWorker, type CeleryWorker } from '../helpers/celery.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/fleet.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
let ok: CeleryWorker;
let held: CeleryWorker;
const ROSTER = '_kombu.binding.celery.pidbox';
const member = (name: string) => `\x06\x16\x06\x16${name}.celery.pidbox`;
const children = (pid: number) => execFileSync('sh', ['-c', `pgrep -P ${pid} || true`]).toString().split('\n').filter(Boolean).map(Number);
const args = () => ['-b', redis.url, '--server-version', '0.13.0', '--no-docker', '--listen', '2.5'];
type Row = { name: string; state: string; severity: string; reasons: string[]; remediation: { command: string }[] };
const stale = async () => JSON.parse((await runCli(['stale', '--json', ...args()])).stdout).workers as Row[];

beforeAll(async () => {
  redis = await startRedis();
  [ok, held] = await Promise.all([
    startWorker(redis.url, redis.client, { name: 'ok-v0.13.0@%h', queues: ['celery'] }),
    startWorker(redis.url, redis.client, { name: 'held-v0.13.0@%h', queues: ['slow'], extra: ['--prefetch-multiplier=1'] }),
  ]);
  await sendTasks(redis.url, 'slow', 1, 'fleetapp.sleep', { args: [300] });
  await waitFor('the slow task to be taken', async () => (await redis.client.llen('slow')) === 0 && (await redis.client.hlen('unacked')) >= 1);
  held.proc.kill('SIGSTOP');
}, 120_000);

afterAll(async () => {
  held?.proc.kill('SIGCONT');
  await Promise.all([ok?.stop(), held?.stop()]);
  await redis?.stop();
});

describe('a SIGSTOPped worker that holds an acks_late task, with the broker only', () => {
  it('is unresponsive, still connected, and gets no cleanup', async () => {
    const row = (await stale()).find((r) => r.name === held.name)!;
    expect(row).toMatchObject({ state: 'unresponsive', severity: 'critical' });
    expect(row.reasons.join('\n')).toMatch(/1 listener on the broker's mailbox channel did not answer \(still connected from 127\.0\.0\.1:\d+.*\): hung or stopped, not gone/);
    expect(row.remediation).toEqual([]);
  });

  it('kill --stale --yes leaves its roster entry alone', async () => {
    const res = await runCli(['kill', '--stale', '--yes', '--json', ...args()]);
    const action = JSON.parse(res.stdout).actions.find((a: { worker: string }) => a.worker === held.name);
    expect(action).toMatchObject({ result: 'skipped' });
    expect(await redis.client.sismember(ROSTER, member(held.name))).toBe(1);
    expect(await redis.client.sismember(ROSTER, member(ok.name))).toBe(1);
  });
});

describe('a SIGKILLed worker and its pool, with the broker only', () => {
  beforeAll(async () => {
    const subscribed = async () => ((await redis.client.call('CLIENT', 'LIST')) as string).split('\n').filter((l) => / psub=[1-9]/.test(l)).length;
    const before = await subscribed();
    const pool = children(held.pid);
    held.proc.kill('SIGKILL');
    for (const pid of pool) process.kill(pid, 'SIGKILL');
    await new Promise((r) => held.proc.once('exit', r));
    await waitFor('its connections to close', async () => (await subscribed()) < before);
  });

  it('is gone, and the remediation removes exactly its roster entry', async () => {
    const rows = await stale();
    const row = rows.find((r) => r.name === held.name)!;
    expect(row).toMatchObject({ state: 'gone', severity: 'critical' });
    expect(row.reasons.join('\n')).toMatch(/no silent listener remains/);
    expect(row.remediation.map((r) => r.command)).toEqual([expect.stringMatching(/SREM _kombu\.binding\.celery\.pidbox \$'\\x06\\x16\\x06\\x16held-v0\.13\.0@.*\.celery\.pidbox'$/)]);
    expect(rows.find((r) => r.name === ok.name)).toMatchObject({ state: 'healthy' });
  });

  it('kill --stale --yes removes its entry and nothing else', async () => {
    const before = (await redis.client.smembers(ROSTER)).sort();
    const res = await runCli(['kill', '--stale', '--yes', '--json', ...args()]);
    expect(JSON.parse(res.stdout).actions).toEqual([expect.objectContaining({ worker: held.name, method: 'remove-binding', result: 'stopped' })]);
    expect((await redis.client.smembers(ROSTER)).sort()).toEqual(before.filter((m) => m !== member(held.name)));
  });
});
