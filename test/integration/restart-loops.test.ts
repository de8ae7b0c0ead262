// Restart loops on the real engine, each for its own reason, explained by the
// Docker source and the model: cause, the evidence it rests on, and the fix.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerCheckFindings, type Finding } from '../../src/model/diagnose/findings.js';
import type { ContainerRecord } from '../../src/model/types.js';
import { gatherDocker, type DockerEngineResult } from '../../src/sources/docker/containers.js';
import { runCli } from '../helpers/cli.js';
import { freePort, snapshot, startRedis, type RedisServer } from '../helpers/redis.js';
import { docker, testEnv } from '../helpers/testenv.js';

const ENGINE = 'unix:///var/run/docker.sock';
const RUN = `fdt-rl-${process.pid}`;
const SCOPE = `fdt-rl.run=${RUN}`;
const MiB = 1024 * 1024;
const dir = mkdtempSync('/tmp/fdt-rl-');
const ids: Record<string, string> = {};
let deadPort = 0; // nothing listens here
let fleetPort = 0; // the broker fleetdoc is told it reads

// Apps mounted read-only at /fdt: one that does not import, one that needs an env variable, a config that gives up on the broker.
const FILES: Record<string, string> = {
  'brokenapp.py': 'from celery import Celery\nimport missing_dep_xyz\napp = Celery()\n',
  'envapp.py': 'import os\nfrom celery import Celery\napp = Celery(broker=os.environ["FDT_RL_BROKER_URL"])\n',
  'giveup.py': 'broker_connection_max_retries = 0\n',
};

async function run(key: string, args: string[], cmd: string[]): Promise<void> {
  const { image, state } = testEnv();
  const res = await docker(['run', '-d', '--name', `${RUN}-${key}`, '--network', 'host', '--label', 'fleetdoc-test=1', '--label', `fleetdoc-test.state=${state}`,
    '--label', SCOPE, '--restart', 'always', '-v', `${dir}:/fdt:ro`, '-w', '/fdt', ...args, image, ...cmd]);
  if (res.exitCode !== 0) throw new Error(`docker run ${key}: ${res.stderr}`);
  ids[key] = res.stdout.trim();
}

const inspect = async (key: string, format: string) => (await docker(['inspect', '-f', format, ids[key]])).stdout.trim();

async function waitFor(what: string, check: () => Promise<boolean>, ms = 45_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  for (const [name, text] of Object.entries(FILES)) writeFileSync(`${dir}/${name}`, text);
  chmodSync(dir, 0o755);
  [deadPort, fleetPort] = [await freePort(), await freePort()];
  const dead = `redis://127.0.0.1:${deadPort}/0`;
  const compose = ['--label', 'com.docker.compose.project=fdtrl', '--label', 'com.docker.compose.service=oomworker', '--label', 'com.docker.compose.project.working_dir=/srv/fdtrl'];
  await Promise.all([
    // Celery itself does not fit in 24 MiB with four processes.
    run('oom', ['-m', '24m', '--memory-swap', '24m', ...compose], ['celery', '-b', dead, 'worker', '-c', '4', '--loglevel=warning']),
    // Killed for memory once, then running: its usage can be read against the limit.
    run('oomonce', ['-m', '96m', '--memory-swap', '96m'], ['sh', '-c',
      `if [ -e /tmp/once ]; then exec celery -b ${dead} worker -c 1 --loglevel=warning; fi; touch /tmp/once; exec python3 -c 'b = bytearray(300 << 20)'`]),
    // The solo pool starts quicker: each turn of the loop is a full Celery start-up.
    run('broker', [], ['celery', '--config', 'giveup', '-b', dead, 'worker', '-P', 'solo', '-c', '1', '--loglevel=warning']),
    run('module', [], ['celery', '-A', 'brokenapp', 'worker', '-c', '1']),
    run('env', [], ['celery', '-A', 'envapp', 'worker', '-c', '1']),
    run('unknown', ['--label', 'fleetdoc.worker=true'], ['sh', '-c', 'echo "warming up"; echo "giving up now"; exit 3']),
  ]);
  const loops = ['oom', 'broker', 'module', 'env', 'unknown'];
  let counts: string[] = [];
  await waitFor('three restarts of each loop', async () => {
    counts = await Promise.all(loops.map((k) => inspect(k, '{{.RestartCount}}')));
    return counts.every((n) => Number(n) >= 3);
  }, 70_000).catch((err) => { throw new Error(`${err.message}: ${loops.map((k, i) => `${k} ${counts[i]}`).join(', ')}`); });
  await waitFor('the once-killed worker to run again', async () => (await inspect('oomonce', '{{.State.Status}} {{.RestartCount}}')) === 'running 1');
}, 90_000);

afterAll(async () => {
  const all = Object.values(ids);
  if (all.length) await docker(['rm', '-f', ...all]);
  rmSync(dir, { recursive: true, force: true });
});

describe('restart loops explained from evidence', () => {
  let result: DockerEngineResult;
  let byKey: Map<string, ContainerRecord>;
  let loops: Map<string, Finding>;

  beforeAll(async () => {
    // Scoped to this run's label: other containers on the engine cannot take the log-read slots.
    [result] = await gatherDocker([ENGINE], { timeoutMs: 10_000, labels: [SCOPE] });
    byKey = new Map(result.containers.map((c) => [c.name.slice(RUN.length + 1), c]));
    const findings = containerCheckFindings(result.containers, null, result.logs, { tails: result.tails, broker: { display: `redis://127.0.0.1:${fleetPort}/0`, ok: true } });
    loops = new Map(findings.filter((f) => f.check === 'restart-loops').map((f) => [f.subject.slice(RUN.length + 1), f]));
  }, 20_000);

  it('reads every container of the run, the log tails without --logs', () => {
    expect(result.ok).toBe(true);
    expect([...byKey.keys()].sort()).toEqual(['broker', 'env', 'module', 'oom', 'oomonce', 'unknown']);
    expect(result.logs).toEqual({});
    expect(Object.keys(result.tails).sort()).toEqual(Object.values(ids).sort());
    // The newest die event keeps the exit code a container running again has lost.
    expect(byKey.get('module')!.last_exit_code).toBe(2);
    expect(byKey.get('unknown')!.last_exit_code).toBe(3);
    expect(byKey.get('env')!.oom_events).toBe(0);
    expect([...loops.keys()].sort()).toEqual(['broker', 'env', 'module', 'oom', 'oomonce', 'unknown']);
  });

  it('memory: the limit, the concurrency, docker update with twice the limit, compose mem_limit, a lower -c', () => {
    // Between two kills it runs with OOMKilled reset (the oom event can race the exit): the events still say.
    const c = byKey.get('oom')!;
    expect(c).toMatchObject({ memory_limit: 24 * MiB, concurrency: 4 });
    expect(c.oom_events).toBeGreaterThan(0);
    const f = loops.get('oom')!;
    expect(f).toMatchObject({ severity: 'critical', cause: 'oom' });
    expect(f.cause_evidence).toMatch(c.oom_killed ? /^State\.OOMKilled: true$/ : /^docker events: \d+ oom events? in the last hour$/);
    expect(f.message).toMatch(/crash-looping .*: out of memory at its memory limit of 24 MiB.*, worker concurrency 4$/);
    expect(f.remediation).toEqual([
      { where: `docker ${ENGINE}`, command: `docker update --memory 48m --memory-swap 48m ${RUN}-oom` },
      { where: '/srv/fdtrl, service oomworker', command: 'mem_limit: 48m' },
      { where: `docker ${ENGINE}`, command: 'docker compose -p fdtrl --project-directory /srv/fdtrl up -d --force-recreate oomworker' },
      { where: '/srv/fdtrl, service oomworker: command', command: '-c 2' },
      { where: `docker ${ENGINE}`, command: `docker logs --tail 50 ${RUN}-oom` },
    ]);
  });

  it('memory: a running container once killed for memory shows its usage against the limit', () => {
    const c = byKey.get('oomonce')!;
    expect(c).toMatchObject({ status: 'running', oom_killed: true, memory_limit: 96 * MiB });
    expect(c.memory_usage).toBeGreaterThan(1 * MiB);
    expect(c.memory_usage).toBeLessThan(96 * MiB);
    const f = loops.get('oomonce')!;
    expect(f).toMatchObject({ severity: 'critical', cause: 'oom', cause_evidence: 'State.OOMKilled: true' });
    expect(f.message).toMatch(/out of memory at its memory limit of 96 MiB, using [\d.]+ MiB \(\d+%\), worker concurrency 1$/);
    expect(f.remediation.map((r) => r.command)).toEqual([`docker update --memory 192m --memory-swap 192m ${RUN}-oomonce`, `docker logs --tail 50 ${RUN}-oomonce`]);
  });

  it('a broker where nothing listens: named with its host:port, and compared with the broker fleetdoc reads', () => {
    const f = loops.get('broker')!;
    expect(f).toMatchObject({ severity: 'critical', cause: 'dependency' });
    expect(f.cause_evidence).toContain(`connecting to 127.0.0.1:${deadPort}. Connection refused.`);
    expect(f.message).toContain(`: cannot reach the broker at 127.0.0.1:${deadPort}; fleetdoc reads redis://127.0.0.1:${fleetPort}/0: the worker is pointed at another broker`);
    expect(f.remediation).toEqual([{ where: `docker ${ENGINE}`, command: `docker logs --tail 50 ${RUN}-broker` }]);
  });

  it('an app module that does not import: the exception and the file and line', () => {
    const f = loops.get('module')!;
    expect(f).toMatchObject({ severity: 'critical', cause: 'app-error', cause_evidence: "ModuleNotFoundError: No module named 'missing_dep_xyz'" });
    expect(f.message).toContain(": the application fails to start at /fdt/brokenapp.py:2: ModuleNotFoundError: No module named 'missing_dep_xyz'");
  });

  it('a missing environment variable: named, with where it is read and where to set it', () => {
    const f = loops.get('env')!;
    expect(f).toMatchObject({ severity: 'critical', cause: 'config', cause_evidence: "KeyError: 'FDT_RL_BROKER_URL'" });
    expect(f.message).toContain(': the environment variable FDT_RL_BROKER_URL is not set (read at /fdt/envapp.py:3)');
    expect(f.remediation[0]).toEqual({ where: "the container's docker run", command: '-e FDT_RL_BROKER_URL=...' });
  });

  it('a log that matches nothing known: says so, shows the last lines, guesses nothing', () => {
    const f = loops.get('unknown')!;
    expect(f).toMatchObject({ severity: 'critical', cause: 'unknown', cause_evidence: null });
    expect(f.message).toMatch(/: no known cause in its last \d+ log lines$/);
    expect(f.evidence.slice(-2)).toEqual(['log: warming up', 'log: giving up now']);
    expect(f.remediation).toEqual([{ where: `docker ${ENGINE}`, command: `docker logs --tail 50 ${RUN}-unknown` }]);
  });
});

describe('end to end: fleetdoc diagnose, scoped by --docker-label', () => {
  let redis: RedisServer;
  let before: Record<string, unknown>;
  beforeAll(async () => {
    redis = await startRedis();
    await redis.client.set('fdt-rl:canary', 'untouched');
    before = await snapshot(redis.client);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  // A loaded test machine needs more than the 1 s default for list, inspect and the log tails.
  const args = () => ['diagnose', '-b', redis.url, '--docker', ENGINE, '--docker-label', SCOPE, '--only', 'restart-loops', '--server-version', '1.0.0', '--timeout', '8'];

  it('--json: every loop with its cause and evidence; the broker compared with the one fleetdoc reads; nothing written', async () => {
    const res = await runCli([...args(), '--json']);
    expect(res.code).toBe(2);
    const doc = JSON.parse(res.stdout) as { findings: { check: string; subject: string; severity: string; cause: string; cause_evidence: string | null; message: string }[] };
    const byKey = new Map(doc.findings.map((f) => [f.subject.slice(RUN.length + 1), f]));
    expect(Object.fromEntries([...byKey].map(([k, f]) => [k, [f.check, f.severity, f.cause]]))).toEqual({
      oom: ['restart-loops', 'critical', 'oom'], oomonce: ['restart-loops', 'critical', 'oom'], broker: ['restart-loops', 'critical', 'dependency'],
      module: ['restart-loops', 'critical', 'app-error'], env: ['restart-loops', 'critical', 'config'], unknown: ['restart-loops', 'critical', 'unknown'],
    });
    expect(byKey.get('env')!.cause_evidence).toBe("KeyError: 'FDT_RL_BROKER_URL'");
    expect(byKey.get('unknown')!.cause_evidence).toBeNull();
    expect(byKey.get('broker')!.message).toContain(`cannot reach the broker at 127.0.0.1:${deadPort}; fleetdoc reads ${redis.url}: the worker is pointed at another broker`);
    expect(await snapshot(redis.client)).toEqual(before);
  }, 30_000);

  it('-v on a terminal: the cause in the message, its evidence, the commands grouped by where', async () => {
    const res = await runCli([...args(), '-v'], { env: { NO_COLOR: '1', LANG: 'C.UTF-8' } });
    if (process.env.FDT_RL_SHOW) console.log(res.stdout);
    expect(res.stdout).toContain(`container ${RUN}-oom is crash-looping`);
    expect(res.stdout).toContain(`cause app-error: ModuleNotFoundError: No module named 'missing_dep_xyz'`);
    expect(res.stdout).toMatch(new RegExp(`docker:\\n(?:.*\\n)*? {10}docker update --memory 48m --memory-swap 48m ${RUN}-oom\\n`));
    expect(res.stdout).toContain('log: giving up now');
  }, 30_000);
});
