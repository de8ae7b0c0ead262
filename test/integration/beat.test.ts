// Two real `celery beat` schedulers on one broker, inside an SSH "host", and one on another db.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { APP_MOUNT, waitFor } from '../helpers/fleet.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { docker, runHostContainer, sshRun, testEnv } from '../helpers/testenv.js';

const H = { name: 'fdt-w-beat', hostname: 'beathost', address: '127.0.0.40', port: 2240 };
let redis: RedisServer;
const target = `${H.address}:${H.port}`;
const inH = (cmd: string) => docker(['exec', H.name, 'sh', '-c', cmd]);
// A temp schedule file each and no pidfile: the app dir is mounted read-only.
const beat = (broker: string, n: number) => docker(['exec', '-d', '-w', '/srv/app', '-e', 'PYTHONDONTWRITEBYTECODE=1', H.name,
  'sh', '-c', `exec celery -A fleetapp -b ${broker} beat -s /tmp/schedule-${n} --pidfile= --loglevel=warning`]);
const beats = async () => (await inH('pgrep -f "bea[t] -s /tmp/schedule-" || true')).stdout.trim().split('\n').filter(Boolean);
const diagnose = () => runCli(['diagnose', '-b', redis.url, '--no-docker', '--ssh', target, '--ssh-config', testEnv().sshConfig, '--only', 'beat', '--json', '-v']);

beforeAll(async () => {
  redis = await startRedis();
  await runHostContainer({ ...H, extraArgs: APP_MOUNT });
  await beat(redis.url, 1);
  await new Promise((r) => setTimeout(r, 1500)); // so that the first one is the elder
  await beat(redis.url, 2);
  await beat(redis.url.replace(/\/0$/, '/5'), 3);
  await waitFor('three beat processes', async () => (await beats()).length === 3, 30_000);
}, 120_000);

afterAll(async () => {
  await docker(['rm', '-f', H.name]);
  await redis?.stop();
});

describe('the beat check', () => {
  it('finds both schedulers of this broker over SSH, calls it critical, and prints the stop command for the younger one', async () => {
    const r = await diagnose();
    const d = JSON.parse(r.stdout);
    const check = d.checks.find((c: { name: string }) => c.name === 'beat');
    expect(check.status).toBe('critical');
    expect(r.code).toBe(2);
    const [f] = d.findings;
    expect(d.findings).toHaveLength(1);
    expect(f.message).toMatch(/^2 celery beat schedulers on this broker: every periodic task is sent 2 times; keep pid \d+ on beathost, stop pid \d+ on beathost$/);
    // The elder is kept; the younger one (schedule-2) is the one to stop.
    const younger = (await inH('pgrep -f "bea[t] -s /tmp/schedule-2"')).stdout.trim();
    expect(f.remediation).toEqual([{ where: expect.stringContaining(`${H.address}`), command: `kill -TERM ${younger}` }]);
    expect(check.evidence.join('\n')).toMatch(/1 on other brokers: not counted/);

    // The printed command does what it says: after it, one scheduler is left and the check is clean.
    await sshRun(H.address, H.port, f.remediation[0].command);
    await waitFor('the younger beat to stop', async () => (await beats()).length === 2, 15_000);
    const again = JSON.parse((await diagnose()).stdout);
    expect(again.checks.find((c: { name: string }) => c.name === 'beat').status).toBe('ok');
    expect(again.findings).toEqual([]);
  }, 60_000);

  it('finds a beat container too (argv or env names the broker) and prints docker stop for the younger one', async () => {
    const label = `fleetdoc-test.beat=${process.pid}`;
    const run = await docker(['run', '-d', '--label', 'fleetdoc-test=1', '--label', label, '--name', 'fdt-w-beat-ctr', '--network', 'host',
      ...APP_MOUNT, '-w', '/srv/app', '-e', `CELERY_BROKER_URL=${redis.url}`, testEnv().image,
      'sh', '-c', 'exec celery -A fleetapp beat -s /tmp/schedule-c --pidfile= --loglevel=warning']);
    expect(run.exitCode).toBe(0);
    try {
      await waitFor('the beat container to run', async () => (await docker(['exec', 'fdt-w-beat-ctr', 'sh', '-c', 'pgrep -f "bea[t] -s /tmp/schedule-c"'])).exitCode === 0, 30_000);
      const r = await runCli(['diagnose', '-b', redis.url, '--docker', 'unix:///var/run/docker.sock', '--docker-label', label, '--ssh', target,
        '--ssh-config', testEnv().sshConfig, '--only', 'beat', '--json', '-v', '-t', '5']);
      const d = JSON.parse(r.stdout);
      expect(d.findings, r.stderr).toHaveLength(1);
      expect(d.findings[0].severity).toBe('critical');
      expect(d.findings[0].message).toMatch(/keep pid \d+ on beathost, stop container fdt-w-beat-ctr/);
      expect(d.findings[0].remediation).toEqual([{ where: 'docker unix:///var/run/docker.sock', command: 'docker stop -t 10 fdt-w-beat-ctr' }]);
      const check = d.checks.find((c: { name: string }) => c.name === 'beat');
      expect(check.evidence.join('\n')).toContain(`container fdt-w-beat-ctr (unix:///var/run/docker.sock): broker ${redis.url} (env)`);
    } finally {
      await docker(['rm', '-f', 'fdt-w-beat-ctr']);
    }
  }, 60_000);

  it('a worker started with -B is a scheduler too: the standalone one is kept, the worker restarted without -B', async () => {
    await docker(['exec', '-d', '-w', '/srv/app', '-e', 'PYTHONDONTWRITEBYTECODE=1', H.name, 'sh', '-c',
      `exec celery -A fleetapp -b ${redis.url} worker -B -n beatw@%h -s /tmp/schedule-w -c 1 --loglevel=warning --without-mingle --without-gossip`]);
    const main = async () => (await inH('pgrep -o -f "[b]eatw@"')).stdout.trim();
    await waitFor('the -B worker', async () => (await main()) !== '', 30_000);
    try {
      const d = JSON.parse((await diagnose()).stdout);
      expect(d.findings).toHaveLength(1);
      const [f] = d.findings;
      expect(f.severity).toBe('critical');
      expect(f.message).toMatch(/keep pid \d+ on beathost, stop worker beatw@beathost \(-B, pid \d+ on beathost\)$/);
      expect(f.remediation.map((r: { command: string }) => r.command)).toEqual([
        `kill -TERM ${await main()}`,
        `cd /srv/app && python3 /usr/bin/celery -A fleetapp -b ${redis.url} worker -n beatw@%h -s /tmp/schedule-w -c 1 --loglevel=warning --without-mingle --without-gossip`,
      ]);
    } finally {
      await inH('pkill -9 -f "[b]eatw@" || true');
      await waitFor('the -B worker to go', async () => (await main()) === '', 15_000);
    }
  }, 60_000);

  it('with no scheduler found, says so in the evidence and finds nothing', async () => {
    await inH('pkill -f "bea[t] -s /tmp/schedule-" || true');
    await waitFor('every beat to stop', async () => (await beats()).length === 0, 15_000);
    const d = JSON.parse((await diagnose()).stdout);
    const check = d.checks.find((c: { name: string }) => c.name === 'beat');
    expect(check).toMatchObject({ status: 'ok', skipped: null });
    expect(check.evidence).toEqual([expect.stringMatching(/^no celery beat scheduler found/)]);
    expect(d.findings).toEqual([]);
  }, 60_000);
});
