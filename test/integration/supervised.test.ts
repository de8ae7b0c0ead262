// Remediation that sticks, end to end: a real supervisord restarts its worker after a plain kill, so
// fleetdoc stops it through supervisorctl; a looping script is stopped before its worker. Neither
// comes back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { APP_MOUNT, waitFor, waitForRoster } from '../helpers/fleet.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { docker, runHostContainer, testEnv } from '../helpers/testenv.js';

const H = { name: 'fdt-sup-h', hostname: 'hostV', address: '127.0.0.36', port: 2236 };
const QUIET = '--loglevel=warning --without-mingle --without-gossip';
let redis: RedisServer;
let args: string[];
const inH = (cmd: string) => docker(['exec', H.name, 'sh', '-c', cmd]);
const pgrep = async (pattern: string) => (await inH(`pgrep -f '${pattern}' || true`)).stdout.trim().split('\n').filter(Boolean).map(Number);

beforeAll(async () => {
  redis = await startRedis();
  await runHostContainer({ ...H, extraArgs: APP_MOUNT });
  const conf = `[program:celeryw]\ncommand=celery -A fleetapp worker -n sup@%%h -P solo ${QUIET}\ndirectory=/srv/app\nautorestart=true\nstartsecs=1\n` +
    `environment=FLEETDOC_TEST_BROKER="${redis.url}",PYTHONDONTWRITEBYTECODE="1"\n`;
  await inH(`printf '%s' '${conf}' > /etc/supervisor/conf.d/celeryw.conf && printf '%s\\n' 'while true; do celery -A fleetapp worker -n loop@%h -P solo ${QUIET}; sleep 1; done' > /tmp/loop.sh`);
  const supd = await inH('supervisord -c /etc/supervisor/supervisord.conf');
  if (supd.exitCode !== 0) throw new Error(`supervisord: ${supd.stderr}`);
  await docker(['exec', '-d', '-w', '/srv/app', '-e', `FLEETDOC_TEST_BROKER=${redis.url}`, '-e', 'PYTHONDONTWRITEBYTECODE=1', H.name, 'sh', '/tmp/loop.sh']);
  await waitForRoster(redis.client, ['sup@hostV', 'loop@hostV']);
  args = ['-b', redis.url, '--server-version', '0.13.0', '--no-docker', '--ssh-config', testEnv().sshConfig, '--ssh', `${H.address}:${H.port}`, '-t', '8'];
}, 180_000);

afterAll(async () => {
  await docker(['rm', '-f', H.name]);
  await redis?.stop();
});

describe('a worker under supervisord with autorestart', () => {
  it('gets a fix guide that goes through supervisorctl and its command= line', async () => {
    const doc = JSON.parse((await runCli(['diagnose', '--json', '--only', 'worker-versions', ...args])).stdout);
    const f = doc.findings.find((x: { subject: string }) => x.subject === 'sup@hostV');
    expect(f.remediation.map((r: { command: string }) => r.command)).toEqual([
      'supervisorctl stop celeryw:celeryw',
      'command=python3 /usr/bin/celery -A fleetapp worker -n sup-v0.13.0@%%h -P solo --loglevel=warning --without-mingle --without-gossip',
      'supervisorctl update celeryw',
    ]);
  }, 60_000);

  it('kill stops it through supervisorctl, and it stays gone', async () => {
    const seen = JSON.parse((await runCli(['workers', '--json', ...args])).stdout).workers.find((w: { name: string }) => w.name === 'sup@hostV');
    expect(seen.process.supervisor).toEqual({ kind: 'supervisord', name: 'celeryw:celeryw', restart: 'true' });
    const res = await runCli(['kill', 'sup@hostV', '--yes', '--json', '--grace', '3', ...args]);
    const [a] = JSON.parse(res.stdout).actions;
    expect(a).toMatchObject({ worker: 'sup@hostV', result: 'stopped' });
    expect(a.method).toMatch(/^supervisorctl-stop/);
    expect(a.detail).toMatch(/supervised by supervisord program celeryw:celeryw \(autorestart=true\)/);
    await new Promise((r) => setTimeout(r, 4000)); // past startsecs and the restart backoff
    expect(await pgrep('[c]elery -A fleetapp worker -n sup@')).toEqual([]);
    expect((await inH('supervisorctl status celeryw')).stdout).toMatch(/STOPPED/);
  }, 90_000);
});

describe('a worker in a looping script', () => {
  it('kill stops the loop first, then the worker, and nothing starts again', async () => {
    const loop = await pgrep('^sh /tmp/loop.sh');
    expect(loop).toHaveLength(1);
    const res = await runCli(['kill', 'loop@hostV', '--yes', '--json', '--grace', '3', ...args]);
    const [a] = JSON.parse(res.stdout).actions;
    expect(a).toMatchObject({ worker: 'loop@hostV', result: 'stopped' });
    expect(a.commands[0]).toMatch(new RegExp(`kill -TERM ${loop[0]}$`));
    await new Promise((r) => setTimeout(r, 3000));
    expect(await pgrep('^sh /tmp/loop.sh')).toEqual([]);
    await waitFor('no loop worker', async () => (await pgrep('[c]elery -A fleetapp worker -n loop@')).length === 0, 10_000);
  }, 90_000);
});
