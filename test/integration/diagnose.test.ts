// `fleetdoc diagnose` end to end on a broken fleet built from real parts: Redis, Celery workers on an
// sshd host, an OOM-looping container, an unreachable host and a registry with stale entries.
// Then `kill` over SSH on the hung worker and its pool children.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendTasks } from '../helpers/celery.js';
import { runCli } from '../helpers/cli.js';
import { APP_MOUNT, startInHost, startRegistry, waitFor, waitForRoster } from '../helpers/fleet.js';
import { freePort, snapshot, startRedis, type RedisServer } from '../helpers/redis.js';
import { docker, runHostContainer, testEnv } from '../helpers/testenv.js';

const D = { name: 'fdt-diag-d', hostname: 'hostD', address: '127.0.0.31', port: 2231 };
const OOM = 'fdt-diag-oom';
// Hermetic: only this file's containers count, whatever else the engine runs.
const SCOPE = 'fleetdoc-test.scope=diagnose-broken';
let redis: RedisServer;
let registry: Awaited<ReturnType<typeof startRegistry>>;
let args: string[];
const inD = (cmd: string) => docker(['exec', D.name, 'sh', '-c', cmd]);

beforeAll(async () => {
  const env = testEnv();
  redis = await startRedis();
  const now = Date.now();
  registry = await startRegistry(() => [
    { worker_id: 'gpu-loader-2', status: 'running', last_heartbeat: new Date(now - 20 * 60_000).toISOString() },
    { worker_id: 'gpu-loader-1', status: 'running', last_heartbeat: new Date().toISOString() },
  ]);
  await docker(['rm', '-f', OOM]);
  await runHostContainer({ ...D, extraArgs: APP_MOUNT });
  await Promise.all([
    startInHost(D.name, redis.url, 'celery -A fleetapp worker -n main@%h -Q gpu -c 1'),
    startInHost(D.name, redis.url, 'celery -A fleetapp worker -n tundra-gpu-v0.13.0@%h -Q gpu -c 1'),
    startInHost(D.name, redis.url, 'celery -A fleetapp worker -n render-v0.13.0@%h -Q slow -c 2 --prefetch-multiplier=1'),
    docker(['run', '-d', '--name', OOM, '--label', 'fleetdoc-test=1', '--label', `fleetdoc-test.state=${env.state}`, '--label', SCOPE, '--network', 'host',
      '--hostname', 'oombox', '--memory', '96m', '--memory-swap', '96m', '--restart', 'always', env.image,
      'sh', '-c', `python3 -c 'b = bytearray(400 * 1024 * 1024)' && exec celery -b ${redis.url} worker -n oomer-v0.13.0@%h`]),
  ]);
  await waitForRoster(redis.client, ['main@hostD', 'tundra-gpu-v0.13.0@hostD', 'render-v0.13.0@hostD']);
  await sendTasks(redis.url, 'orphan', 3);
  await sendTasks(redis.url, 'slow', 1, 'fleetapp.sleep', { args: [300] });
  await waitFor('the slow task to be taken', async () => (await redis.client.hlen('unacked')) >= 1 && (await redis.client.llen('slow')) === 0);
  await new Promise((r) => setTimeout(r, 500));
  await inD('kill -STOP $(pgrep -o -f render-v0.13.0)');
  await waitFor('the OOM container to restart twice', async () =>
    Number((await docker(['inspect', '-f', '{{.RestartCount}}', OOM])).stdout.trim()) >= 2);
  const dead = await freePort('127.0.0.29');
  args = ['-b', redis.url, '--server-version', '0.13.0', '--docker', 'unix:///var/run/docker.sock', '--ssh-config', env.sshConfig,
    '--ssh', `${D.address}:${D.port}`, '--ssh', `127.0.0.29:${dead}`, '--registry', registry.url, '--listen', '2.5', '-t', '2', '--docker-label', SCOPE];
}, 240_000);

afterAll(async () => {
  await docker(['rm', '-f', OOM, D.name]);
  registry?.server.close();
  await redis?.stop();
});

type F = { check: string; severity: string; subject: string; message: string; remediation: { where: string; command: string }[] };

describe('fleetdoc diagnose on a broken fleet', () => {
  let doc: { status: string; exit_code: number; checks: { name: string; status: string }[]; findings: F[] };
  let code: number;
  const find = (check: string, re: RegExp) => doc.findings.find((f) => f.check === check && re.test(f.message));

  beforeAll(async () => {
    const before = await snapshot(redis.client);
    const res = await runCli(['diagnose', '--json', ...args]);
    code = res.code;
    doc = JSON.parse(res.stdout);
    // Read-only: the broker is as it was (but for the unacked mutex idle workers may take).
    const after = await snapshot(redis.client);
    delete (before as Record<string, unknown>).unacked_mutex;
    delete (after as Record<string, unknown>).unacked_mutex;
    expect(after).toEqual(before);
  }, 60_000);

  it('exits 2 with status critical', () => {
    expect(code).toBe(2);
    expect(doc).toMatchObject({ status: 'critical', exit_code: 2 });
    expect(doc.checks).toHaveLength(13);
  });

  it('names the incompatible worker on the shared queue, with the commands to run on its host', () => {
    const f = find('worker-versions', /^main@hostD has no version tag/)!;
    expect(f).toMatchObject({ severity: 'critical', subject: 'main@hostD' });
    const where = `ssh -F ${testEnv().sshConfig} -p ${D.port} ${D.address}`;
    expect(f.remediation.every((r) => r.where === where)).toBe(true);
    expect(f.remediation[0].command).toMatch(/^kill -TERM \d+$/);
    expect(f.remediation.at(-1)!.command).toMatch(/celery -A fleetapp worker -n main-v0\.13\.0@%h -Q gpu -c 1/);
    expect(find('queue-health', /incompatible consumer main@hostD can take tasks/)).toMatchObject({ subject: 'gpu', severity: 'critical' });
  });

  it('sees the queue with waiting tasks and no consumer', () => {
    expect(find('queue-health', /3 messages waiting and no compatible/)).toMatchObject({ subject: 'orphan', severity: 'critical' });
  });

  it('finds the hung worker holding an unacked task, and why', () => {
    const f = doc.findings.find((x) => x.check === 'stale-workers' && x.subject === 'render-v0.13.0@hostD')!;
    expect(f.severity).toBe('critical');
    expect(f.message).toMatch(/unresponsive: no ping reply/);
    const all = JSON.stringify(f);
    expect(all).toMatch(/stopped \(T\)/);
    // Continued first, so its warm shutdown can hand the held task back; KILL only if it lingers.
    expect(f.remediation.map((r) => r.command)).toEqual([
      expect.stringMatching(/^kill -CONT \d+ \d+ \d+$/), expect.stringMatching(/^kill -TERM \d+$/),
      expect.stringMatching(/^sleep 10; kill -0 \d+ 2>\/dev\/null && kill -KILL \d+ \d+ \d+$/),
    ]);
  });

  it('explains the OOM restart loop', () => {
    expect(find('restart-loops', new RegExp(`container ${OOM} is crash-looping.*OOMKilled|${OOM}.*out of memory`))).toMatchObject({ severity: 'critical' });
  });

  it('reports the unreachable SSH host and the stale registry entries', () => {
    expect(find('ssh-hosts', /127\.0\.0\.29:\d+ cannot be read: connection refused/)).toMatchObject({ severity: 'warning' });
    expect(find('registries', /1 stale and 0 degraded of 2 workers \(gpu-loader-2\)/)).toMatchObject({ severity: 'critical' });
  });

  it('prints a doctor-style report with marks, grouped commands and one closing line', async () => {
    const res = await runCli(['diagnose', ...args, '--only', 'worker-versions,queue-health,ssh-hosts,broker'], { tty: true, env: { LANG: 'C.UTF-8', NO_COLOR: '1' } });
    expect(res.code).toBe(2);
    expect(res.stdout).toMatch(/^✗ worker-versions/m);
    // A loaded machine may see even this broker answer in over 100 ms: that warning, and no other, may show.
    const broker = /^([✓!]) broker[^\n]*\n((?: {4}.*\n)*)/m.exec(res.stdout);
    expect(broker).not.toBeNull();
    if (broker![1] === '!') expect(broker![2].trim()).toMatch(/^! the broker answers slowly: [\d.]+ ms round trip$/);
    expect(res.stdout).toMatch(/^! ssh-hosts/m);
    expect(res.stdout).toMatch(new RegExp(`on ${D.address.replace(/\./g, '\\.')} \\(ssh -F \\S+ -p ${D.port} ${D.address.replace(/\./g, '\\.')}\\):\\n\\s+kill -TERM \\d+`));
    expect(res.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ critical, \d+ warnings? in 4 checks$/);
    const plain = await runCli(['diagnose', ...args, '--only', 'ssh-hosts'], { env: { LANG: 'C' } });
    expect(plain.stdout).toMatch(/^\[warn\] ssh-hosts/m);
  });

  it('kill stops the SIGSTOPped worker and its pool children over SSH, and nothing else', async () => {
    const pids = (await inD('pgrep -f [r]ender-v0.13.0')).stdout.trim().split('\n').map(Number);
    expect(pids.length).toBe(3);
    const dead = args.findIndex((a) => a.startsWith('127.0.0.29'));
    const live = args.filter((_, i) => i !== dead && i !== dead - 1);
    const res = await runCli(['kill', 'render-v0.13.0@hostD', '--yes', '--json', '--grace', '2', ...live]);
    const [action] = JSON.parse(res.stdout).actions;
    expect(action).toMatchObject({ worker: 'render-v0.13.0@hostD', result: 'stopped', method: 'ssh-kill-cont, ssh-kill-term, ssh-kill-kill' });
    const main = pids.sort((a, b) => a - b)[0];
    expect(action.commands).toEqual([
      expect.stringMatching(new RegExp(`kill -CONT ${main} \\d+ \\d+$`)),
      expect.stringMatching(new RegExp(`kill -TERM ${main}$`)),
      expect.stringMatching(new RegExp(`'sleep 2; kill -0 ${main} 2>/dev/null && kill -KILL ${main} \\d+ \\d+'$`)),
    ]);
    expect((await inD('pgrep -f [r]ender-v0.13.0')).stdout.trim()).toBe('');
    expect((await inD('pgrep -f [t]undra-gpu-v0.13.0')).stdout.trim()).not.toBe('');
  });
});
