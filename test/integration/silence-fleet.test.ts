// No verdict from silence on a real fleet: a second app's workers on db 1 of the same Redis, on the
// same SSH host and in a container on the same engine, are foreign: never stale, gone or a kill target.
// A worker pointed where nothing listens is connected to no broker: unresponsive and critical.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendTasks } from '../helpers/celery.js';
import { runCli } from '../helpers/cli.js';
import { APP_MOUNT, waitFor, waitForRoster } from '../helpers/fleet.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis.js';
import { docker, runHostContainer, testEnv } from '../helpers/testenv.js';

const H = { name: 'fdt-sil-h', hostname: 'hostS', address: '127.0.0.35', port: 2235 };
const BOX = 'fdt-sil-box';
const SCOPE = 'fleetdoc-test.scope=silence-fleet';
let redis: RedisServer;
let args: string[];
let busySince = 0;

/** A worker in the host container, with its broker in the environment as a deployment sets it. */
function inHost(broker: string, celery: string) {
  return docker(['exec', '-d', '-w', '/srv/app', '-e', `FLEETDOC_TEST_BROKER=${broker}`, '-e', `CELERY_BROKER_URL=${broker}`, '-e', 'PYTHONDONTWRITEBYTECODE=1',
    H.name, 'sh', '-c', `exec ${celery} --loglevel=warning --without-mingle --without-gossip`]);
}

beforeAll(async () => {
  const env = testEnv();
  redis = await startRedis();
  const db1 = redis.url.replace(/\/0$/, '/1');
  const dead = `redis://127.0.0.1:${await freePort()}/0`;
  await docker(['rm', '-f', BOX]);
  await runHostContainer({ ...H, extraArgs: APP_MOUNT });
  busySince = Date.now();
  await Promise.all([
    inHost(redis.url, 'celery -A fleetapp worker -n main-v0.13.0@%h -Q celery -c 1'),
    inHost(db1, 'celery -A fleetapp worker -n billing@%h -Q celery -c 1'),
    inHost(dead, 'celery -A fleetapp worker -n lost-v0.13.0@%h -Q celery -c 1'),
    inHost(redis.url, 'celery -A fleetapp worker -n busy-v0.13.0@%h -P solo -Q busy -c 1'),
    docker(['run', '-d', '--name', BOX, '--label', 'fleetdoc-test=1', '--label', `fleetdoc-test.state=${env.state}`, '--label', SCOPE,
      '--network', 'host', '--hostname', 'billingbox', ...APP_MOUNT, '-w', '/srv/app', '-e', `CELERY_BROKER_URL=${db1}`, '-e', `FLEETDOC_TEST_BROKER=${db1}`,
      env.image, 'celery', '-A', 'fleetapp', 'worker', '-n', 'billing-box@%h', '-c', '1', '--loglevel=warning', '--without-mingle', '--without-gossip']),
  ]);
  await waitForRoster(redis.client, ['main-v0.13.0@hostS']);
  const other = redis.client.duplicate({ db: 1 });
  await waitFor('the db 1 workers', async () => (await other.scard('_kombu.binding.celery.pidbox')) >= 2);
  other.disconnect();
  args = ['-b', redis.url, '--server-version', '0.13.0', '--ssh-config', env.sshConfig, '--ssh', `${H.address}:${H.port}`,
    '--docker', 'unix:///var/run/docker.sock', '--docker-label', SCOPE, '-t', '8'];
}, 180_000);

afterAll(async () => {
  await docker(['rm', '-f', H.name, BOX]);
  await redis?.stop();
});

type W = { name: string; state: string; severity: string; broker_match: string; broker: string | null; state_reasons: string[] };
const FOREIGN = ['billing@hostS', 'billing-box@billingbox'];

describe('workers of another db and a worker of no broker', () => {
  let workers: W[];
  beforeAll(async () => {
    const res = await runCli(['workers', '--json', ...args]);
    workers = JSON.parse(res.stdout).workers;
    expect(JSON.parse(res.stdout).summary).toMatchObject({ foreign: 2 });
  }, 60_000);
  const w = (name: string) => workers.find((x) => x.name === name)!;

  it('calls the db 1 workers foreign, ok, with the evidence', () => {
    for (const name of FOREIGN) expect(w(name)).toMatchObject({ state: 'foreign', severity: 'ok', broker_match: 'other' });
    expect(w('billing@hostS').state_reasons[0]).toMatch(/db 1 of this Redis \(127\.0\.0\.1:\d+\)|another broker: redis:\/\/127\.0\.0\.1:\d+\/1/);
  });

  it('calls the worker pointed at nothing unresponsive and critical, naming its broker', () => {
    expect(w('lost-v0.13.0@hostS')).toMatchObject({ state: 'unresponsive', severity: 'critical', broker_match: 'none' });
    expect(w('lost-v0.13.0@hostS').state_reasons.join('\n')).toMatch(/connected to no broker: its broker is redis:\/\/127\.0\.0\.1:\d+\/0/);
    expect(w('main-v0.13.0@hostS')).toMatchObject({ state: 'healthy', severity: 'ok' });
  });
});

describe('kill never plans on a foreign worker but by its exact name', () => {
  it.each([['--incompatible'], ['--unversioned'], ['--mismatched'], ['--stale'], ['billing*'], ['*@*']])('%s', async (sel) => {
    const res = await runCli(['kill', sel, '--json', ...args]);
    const names = JSON.parse(res.stdout).actions.map((a: { worker: string | null }) => a.worker);
    for (const name of FOREIGN) expect(names).not.toContain(name);
  });

  it('--stale plans the worker of no broker', async () => {
    const res = await runCli(['kill', '--stale', '--json', ...args]);
    expect(JSON.parse(res.stdout).actions.map((a: { worker: string }) => a.worker)).toContain('lost-v0.13.0@hostS');
  });

  it('the exact name plans it, and says it belongs to another broker', async () => {
    const res = await runCli(['kill', 'billing@hostS', '--json', ...args]);
    const [a] = JSON.parse(res.stdout).actions;
    expect(a).toMatchObject({ worker: 'billing@hostS', result: 'planned' });
    expect(a.detail).toMatch(/belongs to another broker/);
  });
});

describe('diagnose', () => {
  it('gives a foreign worker no finding and no remedy, and no queue turns unhealthy for it', async () => {
    const res = await runCli(['diagnose', '--json', '--listen', '2.5', ...args]);
    const doc = JSON.parse(res.stdout);
    for (const f of doc.findings) for (const name of FOREIGN) expect(JSON.stringify(f)).not.toContain(name);
    expect(doc.checks.find((c: { name: string }) => c.name === 'stale-workers').evidence.join('\n')).toMatch(/2 foreign/);
    const lost = doc.findings.find((f: { subject: string; check: string }) => f.subject === 'lost-v0.13.0@hostS' && f.check === 'stale-workers');
    expect(lost).toMatchObject({ severity: 'critical' });
  }, 60_000);
});

// A solo worker runs its task on the thread that answers ping and sends heartbeats: busy with one,
// it is silent, alive and in the roster, exactly like a hung one. That silence plans no kill.
describe('a solo worker busy with a long task', () => {
  const BUSY = 'busy-v0.13.0@hostS';
  let quick: string[];
  beforeAll(async () => {
    await waitForRoster(redis.client, [BUSY]);
    await sendTasks(redis.url, 'busy', 1, 'fleetapp.sleep', { args: [120] });
    await waitFor('the busy worker to take its task', async () => (await redis.client.llen('busy')) === 0 && (await redis.client.hlen('unacked')) > 0);
    // Past the 30 s in which any silent worker may still be starting.
    await new Promise((r) => setTimeout(r, Math.max(0, busySince + 32_000 - Date.now())));
    quick = args.map((a, i) => (args[i - 1] === '-t' ? '2' : a));
  }, 120_000);

  it('is unresponsive with its cause unknown, and neither --stale nor a glob plans a kill on it', async () => {
    const res = await runCli(['workers', '--json', ...quick]);
    const busy = (JSON.parse(res.stdout).workers as W[]).find((w) => w.name === BUSY)!;
    expect(busy).toMatchObject({ state: 'unresponsive', severity: 'warning' });
    expect(busy.state_reasons.join('\n')).toMatch(/with the solo pool a worker busy with a task answers neither ping nor heartbeat/);
    for (const sel of ['--stale', 'busy-*']) {
      const plan = await runCli(['kill', sel, '--json', '--listen', '2.5', ...quick]);
      expect(JSON.parse(plan.stdout).actions.map((a: { worker: string | null }) => a.worker)).not.toContain(BUSY);
    }
  }, 60_000);
});
