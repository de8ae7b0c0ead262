// Positive evidence from a real SSH host: which broker each worker was told to
// use (environment or -b), its TCP connections, and who supervises it: a real
// supervisord with autorestart=true and a looping wrapper script.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartsAfterKill, stopCommand } from '../../src/model/worker/supervisor.js';
import type { ProcessRecord } from '../../src/model/types.js';
import { gatherSsh, type HostReport } from '../../src/sources/ssh/hosts.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis.js';
import { docker, runHostContainer, sshRun, testEnv } from '../helpers/testenv.js';

const APP_DIR = fileURLToPath(new URL('../fixtures/app/', import.meta.url));
const H = { name: 'fdt-pr-evidence', hostname: 'evhost', address: '127.0.0.90', port: 2290 };
const PASSWORD = 'hunter2-secret';
const QUIET = '--loglevel=warning --without-mingle --without-gossip';
let redis: RedisServer;
let deadPort: number;
let authed: (db: number) => string;

const inH = (cmd: string) => docker(['exec', H.name, 'sh', '-c', cmd]);
const probe = async (): Promise<HostReport> =>
  (await gatherSsh({ hosts: [`${H.address}:${H.port}`], config: testEnv().sshConfig, concurrency: 1 }, { timeoutMs: 30_000 }))[0];
const named = (r: HostReport, name: string): ProcessRecord | undefined => r.processes.find((p) => p.worker_name === name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Probes until `ready` holds (workers take seconds to connect), at most 60 s. */
async function probeUntil(ready: (r: HostReport) => boolean): Promise<HostReport> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await probe();
    if (ready(r) && !r.partial) return r;
    if (Date.now() > deadline) throw new Error(`not ready: ${JSON.stringify(r.processes.map((p) => [p.worker_name, p.pid, p.connections]))}`);
    await sleep(500);
  }
}

const SUPERVISOR_CONF = (broker: string) => `[program:celeryw]
command=celery -A fleetapp worker -n sup@%%h -P solo ${QUIET}
directory=/srv/app
autorestart=true
startsecs=1
stopwaitsecs=10
environment=FLEETDOC_TEST_BROKER="${broker}",PYTHONDONTWRITEBYTECODE="1"
`;
const LOOP = `while true; do celery -A fleetapp worker -n loop@%h -P solo ${QUIET}; sleep 1; done\n`;

beforeAll(async () => {
  redis = await startRedis(['--requirepass', PASSWORD]);
  deadPort = await freePort(); // nothing listens here once freePort has closed it
  authed = (db) => `redis://:${PASSWORD}@127.0.0.1:${redis.port}/${db}`;
  await runHostContainer({ ...H, extraArgs: ['-v', `${APP_DIR}:/srv/app:ro`] });
  const start = (env: string[], args: string) =>
    docker(['exec', '-d', '-w', '/srv/app', '-e', 'PYTHONDONTWRITEBYTECODE=1', ...env.flatMap((e) => ['-e', e]), H.name, 'sh', '-c', `exec ${args} ${QUIET}`]);
  await start([`CELERY_BROKER_URL=${authed(1)}`, 'APP_SECRET_TOKEN=never-read-this'], 'celery -A fleetapp worker -n envdb1@%h -P solo');
  await start([], `celery -A fleetapp -b redis://127.0.0.1:${deadPort}/0 worker -n deadarg@%h -P solo`);
  await start([`FLEETDOC_TEST_BROKER=${authed(0)}`], 'celery -A fleetapp worker -n plain@%h -P solo');
  // The supervisord and loop-script workers.
  await inH(`printf '%s' ${shq(SUPERVISOR_CONF(authed(0)))} > /etc/supervisor/conf.d/celeryw.conf && printf '%s' ${shq(LOOP)} > /srv/loop.sh`);
  const supd = await inH('supervisord -c /etc/supervisor/supervisord.conf');
  if (supd.exitCode !== 0) throw new Error(`supervisord: ${supd.stderr}`);
  await docker(['exec', '-d', '-w', '/srv/app', '-e', `FLEETDOC_TEST_BROKER=${authed(0)}`, '-e', 'PYTHONDONTWRITEBYTECODE=1', H.name, 'sh', '/srv/loop.sh']);
}, 120_000);

afterAll(async () => {
  await docker(['rm', '-f', H.name]);
  await redis?.stop();
});

const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const redisEnd = () => `127.0.0.1:${redis.port}`;
const established = (p: ProcessRecord | undefined) => (p?.connections ?? []).filter((c) => c.state === 'ESTABLISHED' && c.remote === redisEnd());

describe('which broker each worker talks to', () => {
  let report: HostReport;
  beforeAll(async () => {
    report = await probeUntil((r) => ['envdb1@evhost', 'plain@evhost', 'sup@evhost', 'loop@evhost'].every((n) => established(named(r, n)).length > 0)
      && named(r, 'deadarg@evhost') !== undefined);
  }, 90_000);

  it('reads CELERY_BROKER_URL from the environment, password masked, and sees its connection to the test Redis', () => {
    const p = named(report, 'envdb1@evhost')!;
    expect(p.broker_from).toBe('env');
    expect(p.broker_url).toBe(`redis://:****@127.0.0.1:${redis.port}/1`);
    // Only the named variables are read: the rest of the environment never leaves the host.
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
    expect(JSON.stringify(report)).not.toContain('never-read-this');
    expect(established(p).length).toBeGreaterThan(0);
    for (const c of p.connections!) expect(c.local).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('reads -b from the command line; a broker where nothing listens leaves no established connection to it', () => {
    const p = named(report, 'deadarg@evhost')!;
    expect(p).toMatchObject({ broker_from: 'argv', broker_url: `redis://127.0.0.1:${deadPort}/0` });
    expect(p.connections).not.toBeNull();
    expect(p.connections!.filter((c) => c.state === 'ESTABLISHED')).toEqual([]);
    for (const c of p.connections!) expect(c).toMatchObject({ state: 'SYN_SENT', remote: `127.0.0.1:${deadPort}` });
  });

  it('a worker whose broker comes from its app config: no URL, but its connection says where it goes', () => {
    const p = named(report, 'plain@evhost')!;
    expect(p).toMatchObject({ broker_url: null, broker_from: null });
    expect(established(p).length).toBeGreaterThan(0);
    expect(p.cgroup).toMatch(/^\d+:/);
  });

  it('workers started by hand (docker exec) are supervised by nothing', () => {
    for (const n of ['envdb1@evhost', 'deadarg@evhost', 'plain@evhost']) expect(named(report, n)!.supervisor).toEqual({ kind: 'none', name: null, restart: null });
  });

  it('finds the supervisord program with its autorestart, and the loop script with its shell pid', async () => {
    const sup = named(report, 'sup@evhost')!;
    expect(sup.supervisor).toEqual({ kind: 'supervisord', name: 'celeryw:celeryw', restart: 'true' });
    expect(stopCommand(sup.supervisor)).toEqual(['supervisorctl', 'stop', 'celeryw:celeryw']);
    expect(restartsAfterKill(sup.supervisor)).toBe(true);
    const loop = named(report, 'loop@evhost')!;
    const shell = Number((await inH('pgrep -f "^sh /srv/loop.sh"')).stdout.trim());
    expect(shell).toBeGreaterThan(1);
    expect(loop.ppid).toBe(shell);
    expect(loop.supervisor).toMatchObject({ kind: 'script', name: '/srv/loop.sh', parent_pid: shell });
    expect(stopCommand(loop.supervisor)).toEqual(['kill', String(shell)]);
  });
});

describe('remediation that sticks', () => {
  it('a plain kill of the supervised worker comes back under a new pid; supervisorctl stop ends it for good', async () => {
    const before = named(await probe(), 'sup@evhost')!;
    expect((await sshRun(H.address, H.port, `kill ${before.pid}`)).exitCode).toBe(0);
    const back = await probeUntil((r) => (named(r, 'sup@evhost')?.pid ?? before.pid) !== before.pid);
    expect(named(back, 'sup@evhost')!.supervisor).toMatchObject({ kind: 'supervisord', name: 'celeryw:celeryw' });

    const stop = await sshRun(H.address, H.port, 'supervisorctl stop celeryw:celeryw');
    expect(stop.stdout).toMatch(/stopped/);
    await probeUntil((r) => named(r, 'sup@evhost') === undefined);
    await sleep(3000); // longer than startsecs and the restart backoff
    const after = await probe();
    expect(named(after, 'sup@evhost')).toBeUndefined();
    expect(named(after, 'loop@evhost')).toBeDefined();
  }, 120_000);
});
