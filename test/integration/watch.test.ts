// watch in a real terminal (tmux) and piped, against a real Redis and real Celery workers.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST, sendTasks, startWorker, type CeleryWorker } from '../helpers/celery.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/fleet.js';
import { snapshot, startRedis, type RedisServer } from '../helpers/redis.js';
import { shellJoin } from '../../src/util/shell.js';

const BIN = fileURLToPath(new URL('../../bin/fleetdoc', import.meta.url));
const SOCKET = `fdt-w-${process.pid}`;
let redis: RedisServer;
let dir: string;
const workers: CeleryWorker[] = [];

const tmux = (args: string[]) => new Promise<string>((resolve, reject) =>
  execFile('tmux', ['-L', SOCKET, ...args], (err, stdout, stderr) => (err ? reject(new Error(`tmux ${args[0]}: ${stderr}`)) : resolve(stdout))));
const pane = () => tmux(['capture-pane', '-p', '-t', 'w']);
const keys = async () => {
  const s = await snapshot(redis.client);
  delete s.unacked_mutex;
  return s;
};

beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync('/tmp/fdt-w-watch-');
  workers.push(await startWorker(redis.url, redis.client, { name: 'alpha-v1.0.0@%h', queues: ['celery'] }));
}, 60_000);

afterAll(async () => {
  await tmux(['kill-server']).catch(() => undefined);
  for (const w of workers) if (w.proc.exitCode === null) process.kill(w.pid, 'SIGCONT');
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('fleetdoc watch', () => {
  it('redraws in place in a real terminal, marks what changed, and q leaves with the terminal restored and no reply key', async () => {
    const before = await keys();
    const cmd = shellJoin([process.execPath, BIN, 'watch', '-b', redis.url, '--no-docker', '--server-version', '1.0.0', '--interval', '1', '-t', '0.5']);
    const after = `${dir}/after`;
    // After watch exits, the same terminal is asked whether it is back in canonical mode.
    await tmux(['new-session', '-d', '-x', '160', '-y', '50', '-s', 'w', `sh -c '${cmd}; echo "exit=$?" > ${after}; stty -a >> ${after}; sleep 60'`]);
    await waitFor('the first frames', async () => /refresh [2-9]/.test(await pane()), 20_000);
    expect(await pane()).toContain(`alpha-v1.0.0@${HOST}`);
    const beta = await startWorker(redis.url, redis.client, { name: 'beta-v1.0.0@%h', queues: ['celery'] });
    workers.push(beta);
    await waitFor('beta marked as appeared', async () => (await pane()).includes(`+ beta-v1.0.0@${HOST} appeared`), 20_000);
    expect((await pane()).split('\n').some((l) => l.startsWith(`+  beta-v1.0.0@${HOST}`))).toBe(true);
    process.kill(beta.pid, 'SIGSTOP');
    // One event subscription kept open across refreshes, not one per refresh.
    expect(((await redis.client.client('LIST')) as string).match(/name=fleetdoc-events/g)?.length).toBe(1);
    await waitFor('beta marked as changed', async () => (await pane()).includes(`~ beta-v1.0.0@${HOST} healthy/compatible -> unresponsive/compatible`), 20_000);
    const screen = await pane();
    // Drawn in place: one header on the screen, nothing scrolled into the history.
    expect(screen.split('\n').filter((l) => l.startsWith('fleetdoc watch')).length).toBe(1);
    expect((await tmux(['display', '-p', '-t', 'w', '#{history_size}'])).trim()).toBe('0');
    process.kill(beta.pid, 'SIGCONT');
    await tmux(['send-keys', '-t', 'w', 'q']);
    await waitFor('watch to leave', async () => existsSync(after) && readFileSync(after, 'utf8').includes('icanon'), 15_000);
    const out = readFileSync(after, 'utf8');
    expect(out).toMatch(/^exit=0$/m);
    expect(out).toMatch(/(^|\s)icanon(\s|$)/m);
    expect(out).toMatch(/(^|\s)echo(\s|$)/m);
    const left = await keys();
    expect(Object.keys(left).filter((k) => k.includes('reply.celery.pidbox'))).toEqual([]);
    expect(left['_kombu.binding.reply.celery.pidbox'] ?? ['set', []]).toEqual(before['_kombu.binding.reply.celery.pidbox'] ?? ['set', []]);
    // The event subscription is gone with it.
    expect(await redis.client.client('LIST')).not.toMatch(/name=fleetdoc-events/);
  }, 120_000);

  it('Ctrl-C in the terminal (a key in raw mode) leaves the same way: exit 0, terminal restored', async () => {
    const cmd = shellJoin([process.execPath, BIN, 'watch', '-b', redis.url, '--no-docker', '--interval', '1', '-t', '0.5', '--view', 'queues']);
    const after = `${dir}/after-ctrl-c`;
    await tmux(['new-session', '-d', '-x', '100', '-y', '30', '-s', 'c', `sh -c '${cmd}; echo "exit=$?" > ${after}; stty -a >> ${after}; sleep 60'`]);
    await waitFor('the first frame', async () => /refresh 1/.test(await tmux(['capture-pane', '-p', '-t', 'c'])), 20_000);
    expect(await tmux(['capture-pane', '-p', '-t', 'c'])).toMatch(/QUEUE\s+MESSAGES\s+UNACKED/);
    await tmux(['send-keys', '-t', 'c', 'C-c']);
    await waitFor('watch to leave', async () => existsSync(after) && readFileSync(after, 'utf8').includes('icanon'), 15_000);
    const out = readFileSync(after, 'utf8');
    expect(out).toMatch(/^exit=0$/m);
    expect(out).toMatch(/(^|\s)icanon(\s|$)/m);
    expect(Object.keys(await keys()).filter((k) => k.includes('reply.celery.pidbox'))).toEqual([]);
  }, 60_000);

  it('piped: one JSON document per refresh, a rising queue marked, and Ctrl-C ends it with exit 0', async () => {
    const before = await keys();
    const ac = new AbortController();
    const run = runCli(['watch', '-b', redis.url, '--no-docker', '--server-version', '1.0.0', '--interval', '0.5', '-t', '0.3', '--view', 'queues'], { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 1500));
    await sendTasks(redis.url, 'nobody', 3);
    await new Promise((r) => setTimeout(r, 1500));
    ac.abort();
    const r = await run;
    expect(r.code).toBe(0);
    const docs = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(docs.length).toBeGreaterThanOrEqual(3);
    expect(docs.map((d) => d.refresh)).toEqual(docs.map((_, i) => i + 1));
    expect(docs[0]).toMatchObject({ view: 'queues', broker: redis.url, changes: { appeared: [], gone: [] } });
    expect(docs[0].workers.map((w: { name: string }) => w.name)).toContain(`alpha-v1.0.0@${HOST}`);
    expect(docs.some((d) => d.changes.rising.some((q: { name: string; to: number }) => q.name === 'nobody' && q.to === 3))).toBe(true);
    const left = await keys();
    delete left.nobody;
    delete left['_kombu.binding.nobody'];
    expect(Object.keys(left).filter((k) => k.includes('reply.celery.pidbox'))).toEqual([]);
    expect(left).toEqual(before);
  }, 60_000);

  it('a broker that cannot be reached is exit 3 with one line, and usage errors are 64', async () => {
    const r = await runCli(['watch', '-b', 'redis://127.0.0.1:1/0', '--no-docker', '--interval', '1']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect((await runCli(['watch', '-b', redis.url, '--view', 'nope'])).code).toBe(64);
    expect((await runCli(['watch', '-b', redis.url, '--interval', '0'])).code).toBe(64);
  });
});
