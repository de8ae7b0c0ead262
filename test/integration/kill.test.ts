// `fleetdoc kill` and the ghost of `stale`, against a real redis-server, real Celery workers and real Docker.
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST, startWorker, type CeleryWorker } from '../helpers/celery.js';
import { runCli } from '../helpers/cli.js';
import { snapshot, startRedis, type RedisServer } from '../helpers/redis.js';
import { docker, testEnv } from '../helpers/testenv.js';

let redis: RedisServer;
const w: Record<string, CeleryWorker> = {};
const PWNED = '/tmp/fleetdoc-pwned-kill';
const CONTAINER = 'fdt-kill-boxed';
// Hermetic: only this file's container counts, whatever else the engine runs.
const SCOPE = 'fleetdoc-test.scope=kill';
const alive = (x: CeleryWorker) => x.proc.exitCode === null && x.proc.signalCode === null;
const exited = async (x: CeleryWorker, ms = 20_000) => {
  const until = Date.now() + ms;
  while (alive(x) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  return !alive(x);
};

beforeAll(async () => {
  rmSync(PWNED, { force: true });
  redis = await startRedis();
  const start = (key: string, name: string) => startWorker(redis.url, redis.client, { name, queues: ['celery'] }).then((x) => { w[key] = x; });
  await Promise.all([
    start('good', 'good-v1.0.0@%h'),
    start('victim', 'victim@%h'),
    start('neighbour', 'neighbour@%h'),
    start('hostile', `x;touch ${PWNED} $(id)@%h`),
    start('ghost', 'ghost-v1.0.0@%h'),
  ]);
  // Died hard: its roster entry stays behind.
  w.ghost.proc.kill('SIGKILL');
  await exited(w.ghost);
  const env = testEnv();
  await docker(['rm', '-f', CONTAINER]);
  const run = await docker(['run', '-d', '--name', CONTAINER, '--label', 'fleetdoc-test=1', '--label', `fleetdoc-test.state=${env.state}`, '--label', SCOPE,
    '--network', 'host', '--hostname', 'boxed', env.image, 'celery', '-b', redis.url, 'worker', '-n', 'boxed@%h', '-c', '1', '--loglevel=warning', '--without-mingle', '--without-gossip']);
  expect(run.exitCode).toBe(0);
  const until = Date.now() + 30_000;
  while (!(await redis.client.sismember('_kombu.binding.celery.pidbox', '\x06\x16\x06\x16boxed@boxed.celery.pidbox')) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  await docker(['rm', '-f', CONTAINER]);
  await Promise.all(Object.values(w).map((x) => x.stop()));
  await redis?.stop();
});

const kill = (args: string[]) => runCli(['kill', '--json', '-b', redis.url, '--server-version', '1.0.0', '--no-docker', ...args]);

describe('fleetdoc kill', () => {
  it('a dry run prints the plan and changes nothing', async () => {
    const before = await snapshot(redis.client);
    const res = await kill(['--unversioned']);
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc.dry_run).toBe(true);
    const names = doc.actions.map((a: { worker: string }) => a.worker);
    expect(names).toEqual(expect.arrayContaining([`victim@${HOST}`, `neighbour@${HOST}`, w.hostile.name]));
    expect(names).not.toContain(`good-v1.0.0@${HOST}`);
    expect(doc.actions.every((a: { result: string }) => a.result === 'planned')).toBe(true);
    expect(doc.actions.find((a: { worker: string }) => a.worker === `victim@${HOST}`).commands[0])
      .toBe(`celery -b ${redis.url} control shutdown -d victim@${HOST}`);
    expect(await snapshot(redis.client)).toEqual(before);
    expect(Object.values(w).filter((x) => x !== w.ghost).every(alive)).toBe(true);
  });

  it('a glob never hits a compatible, responsive worker; an exact name does (in the plan)', async () => {
    const glob = JSON.parse((await kill(['*'])).stdout).actions.map((a: { worker: string }) => a.worker);
    expect(glob).not.toContain(`good-v1.0.0@${HOST}`);
    expect(glob).toContain(`victim@${HOST}`);
    const exact = JSON.parse((await kill([`good-v1.0.0@${HOST}`])).stdout).actions;
    expect(exact).toMatchObject([{ worker: `good-v1.0.0@${HOST}`, result: 'planned' }]);
  });

  it('--yes stops exactly the target while its neighbours keep running', async () => {
    const res = await kill([`victim@${HOST}`, '--yes', '--grace', '5']);
    expect(JSON.parse(res.stdout).actions).toMatchObject([{ worker: `victim@${HOST}`, result: 'stopped' }]);
    expect(res.code).toBe(0);
    expect(await exited(w.victim)).toBe(true);
    expect(alive(w.neighbour) && alive(w.good) && alive(w.hostile)).toBe(true);
  });

  it('a hostile worker name is stopped by name and never run as shell', async () => {
    const res = await kill([w.hostile.name, '--yes', '--grace', '5']);
    const [action] = JSON.parse(res.stdout).actions;
    expect(action.commands[0]).toContain(`'${w.hostile.name}'`);
    expect(action.result).toBe('stopped');
    expect(await exited(w.hostile)).toBe(true);
    expect(existsSync(PWNED)).toBe(false);
  });

  it('links a worker container to the broker worker of the same name', async () => {
    const res = await runCli(['workers', '--json', '-b', redis.url, '--server-version', '1.0.0', '--docker', 'unix:///var/run/docker.sock', '--docker-label', SCOPE]);
    const boxed = JSON.parse(res.stdout).workers.find((x: { name: string }) => x.name === 'boxed@boxed');
    expect(boxed).toMatchObject({
      responsive: true, status: 'unversioned', sources: ['broker', 'docker'],
      container: { engine: 'unix:///var/run/docker.sock', name: CONTAINER, image: testEnv().image, status: 'running', restart_count: 0, oom_killed: false, compose: null },
    });
    expect(boxed.container.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stops a container target', async () => {
    const res = await runCli(['kill', '--json', '-b', redis.url, '--docker', 'unix:///var/run/docker.sock', '--docker-label', SCOPE, `container:${CONTAINER}`, '--yes', '--grace', '10']);
    const [action] = JSON.parse(res.stdout).actions;
    expect(action).toMatchObject({ container: CONTAINER, result: 'stopped' });
    // A warm shutdown that outlasts the grace is SIGKILLed and leaves its roster entry: give it time.
    expect(action.commands).toContain(`docker stop -t 10 ${CONTAINER}`);
    const state = await docker(['inspect', '-f', '{{.State.Running}}', CONTAINER]);
    expect(state.stdout.trim()).toBe('false');
    // Now only Docker knows it: listed, not responsive, with the likelier reason.
    const after = await runCli(['workers', '--json', '-b', redis.url, '--server-version', '1.0.0', '--docker', 'unix:///var/run/docker.sock', '--docker-label', SCOPE]);
    const boxed = JSON.parse(after.stdout).workers.find((x: { name: string }) => x.name === 'boxed@boxed');
    expect(boxed).toMatchObject({ responsive: false, in_roster: false, sources: ['docker'], severity: 'warning' });
    expect(boxed.unresponsive_reason).toMatch(/^container fdt-kill-boxed has exited/);
    expect(alive(w.good) && alive(w.neighbour)).toBe(true);
  });

  it('detects the roster ghost of a SIGKILLed worker, and cleans it only with --yes', async () => {
    const member = `\x06\x16\x06\x16ghost-v1.0.0@${HOST}.celery.pidbox`;
    const stale = await runCli(['stale', '--json', '-b', redis.url, '--no-docker', '--listen', '0', '--server-version', '1.0.0']);
    const ghost = JSON.parse(stale.stdout).workers.find((x: { name: string }) => x.name === `ghost-v1.0.0@${HOST}`);
    expect(ghost.state).toBe('gone');
    expect(ghost.remediation.map((r: { command: string }) => r.command).join('\n')).toMatch(/SREM _kombu\.binding\.celery\.pidbox/);
    expect(stale.code).toBe(2);
    expect(await redis.client.sismember('_kombu.binding.celery.pidbox', member)).toBe(1);
    const dry = await kill(['--stale', '--listen', '0']);
    expect(JSON.parse(dry.stdout).actions.map((a: { method: string }) => a.method)).toContain('remove-binding');
    expect(await redis.client.sismember('_kombu.binding.celery.pidbox', member)).toBe(1);
    const res = await kill(['--stale', '--listen', '0', '--yes']);
    expect(JSON.parse(res.stdout).actions).toContainEqual(expect.objectContaining({ worker: `ghost-v1.0.0@${HOST}`, result: 'stopped' }));
    expect(await redis.client.sismember('_kombu.binding.celery.pidbox', member)).toBe(0);
    expect(alive(w.good)).toBe(true);
  });
});
