// The SSH source against real sshd "hosts" (containers with their own hostname
// and PID namespace) running real Celery workers, and against hosts that
// refuse, hang, want a password or have no ps.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { splitShellWords } from '../../src/model/worker/celery-argv.js';
import { processRemediation } from '../../src/model/remedy/fixguide.js';
import type { ProcessRecord } from '../../src/model/types.js';
import { gatherSsh, sshArgs, type HostReport } from '../../src/sources/ssh/hosts.js';
import { shellJoin, shellQuote } from '../../src/util/shell.js';
import { waitFor } from '../helpers/fleet.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis.js';
import { docker, runHostContainer, sshRun, testEnv } from '../helpers/testenv.js';

const APP_DIR = fileURLToPath(new URL('../fixtures/app/', import.meta.url));
const A = { name: 'fdt-ssh-a', hostname: 'hostA', address: '127.0.0.21', port: 2201 };
const B = { name: 'fdt-ssh-b', hostname: 'hostB', address: '127.0.0.22', port: 2202 };
const HOSTILE = 'x;touch /tmp/p@h';
let redis: RedisServer;
let config: string;
const scratch: string[] = [];
const tmpdir = () => {
  const dir = mkdtempSync('/tmp/fdt-ssh-');
  scratch.push(dir);
  return dir;
};

const inA = (cmd: string) => docker(['exec', A.name, 'sh', '-c', cmd]);
// Each worker runs from the app dir, as a deployment would; `exec` so no shell stays behind.
const startIn = (box: string, args: string) =>
  docker(['exec', '-d', '-w', '/srv/app', '-e', `FLEETDOC_TEST_BROKER=${redis.url}`, '-e', 'PYTHONDONTWRITEBYTECODE=1',
    box, 'sh', '-c', `exec ${args} --loglevel=warning --without-mingle --without-gossip`]);

async function waitForWorkers(names: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const name of names) {
    while (!(await redis.client.sismember('_kombu.binding.celery.pidbox', `\x06\x16\x06\x16${name}.celery.pidbox`))) {
      if (Date.now() > deadline) throw new Error(`worker ${name} did not come up`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const gather = (hosts: string[], timeoutMs = 2000, cfg = config) => gatherSsh({ hosts, config: cfg, concurrency: 16 }, { timeoutMs });
const target = (h: typeof A) => `${h.address}:${h.port}`;
const byName = (r: HostReport) => new Map(r.processes.map((p) => [p.worker_name, p]));

beforeAll(async () => {
  config = testEnv().sshConfig;
  redis = await startRedis();
  const mount = ['-v', `${APP_DIR}:/srv/app:ro`];
  await Promise.all([runHostContainer({ ...A, extraArgs: mount }), runHostContainer({ ...B, extraArgs: mount })]);
  await Promise.all([
    startIn(A.name, `celery -b ${redis.url} worker -c 1`),
    startIn(A.name, `celery -A fleetapp worker --hostname=tundra-gpu@%h -P solo`),
    startIn(A.name, 'python3 -m celery -A fleetapp worker -n main-v0.13.0@%h -Q celery -c 2'),
    startIn(A.name, 'celery -A fleetapp worker -n stopped-v0.12.0@%h -c 1'),
    startIn(A.name, `celery -A fleetapp worker -n '${HOSTILE}' -P solo`),
  ]);
  await waitForWorkers(['celery@hostA', 'tundra-gpu@hostA', 'main-v0.13.0@hostA', 'stopped-v0.12.0@hostA', HOSTILE]);
  const stopped = (await inA('pgrep -o -f stopped-v0.12.0')).stdout.trim();
  await inA(`kill -STOP ${stopped}`);
}, 180_000);

afterAll(async () => {
  await Promise.all([A, B].map((h) => docker(['rm', '-f', h.name])));
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  await redis?.stop();
});

describe('a real host with real workers', () => {
  let report: HostReport;
  beforeAll(async () => {
    [report] = await gather([target(A)]);
  });

  it('reads the host: name, load, memory and disks', () => {
    expect(report).toMatchObject({ target: '127.0.0.21:2201', ok: true, error: null, partial: false, hostname: 'hostA' });
    expect(report.load).toHaveLength(3);
    expect(report.memory!.available_kb).toBeLessThanOrEqual(report.memory!.total_kb);
    expect(report.memory!.available_kb).toBeGreaterThan(0);
    expect(report.disks.find((d) => d.mount === '/')).toBeDefined();
    expect(report.warnings).toEqual([]);
  });

  it('finds each worker main process once, named as Celery names it, with its pool children', async () => {
    const found = byName(report);
    expect([...found.keys()].sort()).toEqual(['celery@hostA', 'main-v0.13.0@hostA', 'stopped-v0.12.0@hostA', 'tundra-gpu@hostA', HOSTILE].sort());
    const main = found.get('main-v0.13.0@hostA')!;
    expect(main).toMatchObject({ host: 'hostA', queues: ['celery'], concurrency: 2, cwd: '/srv/app', target: '127.0.0.21:2201' });
    expect(main.argv).toEqual(['python3', '-m', 'celery', '-A', 'fleetapp', 'worker', '-n', 'main-v0.13.0@%h', '-Q', 'celery', '-c', '2',
      '--loglevel=warning', '--without-mingle', '--without-gossip']);
    for (const p of found.values()) {
      // The truth from inside the container: the children of each main pid.
      const kids = (await inA(`ps -o pid= --ppid ${p.pid}`)).stdout.split('\n').filter((l) => l.trim()).map(Number);
      expect(p.children).toEqual(kids.sort((a, b) => a - b));
      expect(p.rss_kb).toBeGreaterThan(1000);
      expect(p.elapsed_s).toBeGreaterThanOrEqual(0);
    }
    expect(main.children).toHaveLength(2);
    expect(found.get('celery@hostA')!.children).toHaveLength(1);
    expect(found.get('tundra-gpu@hostA')!.children).toEqual([]);
    expect(found.get(HOSTILE)!.argv).toContain(HOSTILE);
  });

  it('reports the SIGSTOPped worker as state T, the others as running or sleeping', () => {
    const found = byName(report);
    expect(found.get('stopped-v0.12.0@hostA')!.state).toBe('T');
    for (const [name, p] of found) if (name !== 'stopped-v0.12.0@hostA') expect(['S', 'R']).toContain(p.state);
  });

  it("prints a hostile worker's start line quoted: a real shell splits it into exactly its words", async () => {
    const p = byName(report).get(HOSTILE)!;
    const [kill, start] = processRemediation(p, { serverVersion: '0.13.0', hung: false, brokerDisplay: '' });
    expect(kill).toEqual({ where: 'ssh -p 2201 127.0.0.21', command: `kill -TERM ${p.pid}` });
    const line = start.command.replace(/^cd \/srv\/app && /, '');
    const words = splitShellWords(line)!;
    expect(words).toContain('x;touch /tmp/p-v0.13.0@h');
    const echoed = await sshRun(A.address, A.port, `printf '%s\\n' ${line}`);
    expect(echoed.stdout.split('\n').slice(0, -1)).toEqual(words);
    expect((await inA('test -e /tmp/p && echo yes || echo no')).stdout.trim()).toBe('no');
  });

  it('the fix guide works when followed: kill, then the versioned start line', async () => {
    const p = byName(report).get('tundra-gpu@hostA')!;
    const steps = processRemediation(p, { serverVersion: '0.13.0', hung: false, brokerDisplay: '' });
    // Debian's celery is a python script, so the exact argv starts with the interpreter.
    expect(p.argv.slice(0, 2)).toEqual(['python3', '/usr/bin/celery']);
    expect(steps.map((s) => s.command)).toEqual([
      `kill -TERM ${p.pid}`,
      'cd /srv/app && python3 /usr/bin/celery -A fleetapp worker --hostname=tundra-gpu-v0.13.0@%h -P solo --loglevel=warning --without-mingle --without-gossip',
    ]);
    await sshRun(A.address, A.port, steps[0].command);
    // Detached, with the broker the original had in its environment.
    await sshRun(A.address, A.port, `FLEETDOC_TEST_BROKER=${redis.url} nohup sh -c ${shellQuote(steps[1].command)} >/dev/null 2>&1 &`);
    await waitForWorkers(['tundra-gpu-v0.13.0@hostA']);
    const names = [...byName((await gather([target(A)]))[0]).keys()];
    expect(names).toContain('tundra-gpu-v0.13.0@hostA');
    expect(names).not.toContain('tundra-gpu@hostA');
  });

  it('a stopped worker is continued, then stopped by TERM: its warm shutdown can hand back what it held', async () => {
    const p = byName(report).get('stopped-v0.12.0@hostA')!;
    const steps = processRemediation(p, { serverVersion: '0.13.0', hung: true, brokerDisplay: '' });
    const all = [p.pid, ...p.children].join(' ');
    expect(steps.slice(0, 3).map((s) => s.command)).toEqual([`kill -CONT ${all}`, `kill -TERM ${p.pid}`, `sleep 10; kill -0 ${p.pid} 2>/dev/null && kill -KILL ${all}`]);
    await sshRun(A.address, A.port, steps[0].command);
    await sshRun(A.address, A.port, steps[1].command);
    await waitFor('the stopped worker to exit', async () => ![...byName((await gather([target(A)]))[0]).keys()].includes('stopped-v0.12.0@hostA'), 20_000);
  });
});

describe('hosts that do not cooperate', () => {
  let silent: Server;
  let silentPort: number;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    silentPort = await freePort();
    silent = createServer((s) => sockets.push(s)); // accepts, never speaks
    await new Promise<void>((r) => silent.listen(silentPort, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('refusing, hanging and unknown hosts each fail in one line, side by side with a good one', async () => {
    const refused = `127.0.0.1:${await freePort()}`;
    const hangs = `127.0.0.1:${silentPort}`;
    const t0 = Date.now();
    const reports = await gather([refused, hangs, target(A), 'no-such-host.invalid']);
    const took = Date.now() - t0;
    expect(reports.map((r) => [r.target, r.ok, r.error])).toEqual([
      [refused, false, 'connection refused'],
      [hangs, false, 'timed out after 5.0 s'],
      ['127.0.0.21:2201', true, null],
      ['no-such-host.invalid', false, 'could not resolve hostname'],
    ]);
    // The hung host is cut off at its deadline, and the others did not wait for it.
    expect(took).toBeLessThan(7000);
    expect(took).toBeGreaterThanOrEqual(5000);
  });

  it('a host that wants a password fails at once instead of prompting', async () => {
    // A second sshd in host B that offers passwords and knows no keys; the client config allows passwords
    // and has no BatchMode, so only fleetdoc's own options keep ssh from asking.
    await docker(['exec', '-d', B.name, '/usr/sbin/sshd', '-D', '-e', '-o', `ListenAddress=${B.address}`, '-o', 'Port=2203',
      '-o', 'PasswordAuthentication=yes', '-o', 'KbdInteractiveAuthentication=yes', '-o', 'AuthorizedKeysFile=none', '-o', 'PidFile=none']);
    const dir = tmpdir();
    const { sshKey } = testEnv();
    writeFileSync(`${dir}/config`, `Host *\n  User root\n  IdentityFile ${sshKey}\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n` +
      '  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  PasswordAuthentication yes\n  KbdInteractiveAuthentication yes\n');
    let report: HostReport | undefined;
    for (let i = 0; i < 50 && !report?.error?.startsWith('permission denied'); i++) {
      const t0 = Date.now();
      [report] = await gather([`${B.address}:2203`], 2000, `${dir}/config`);
      if (report.error?.startsWith('permission denied')) expect(Date.now() - t0).toBeLessThan(3000);
      else await new Promise((r) => setTimeout(r, 100)); // sshd not listening yet
    }
    expect(report!.ok).toBe(false);
    expect(report!.error).toMatch(/^permission denied \(publickey,.*password.*\)$/);

    // Even with a terminal to prompt on: plain ssh asks for the password, fleetdoc's ssh argv does not.
    const onTty = (argv: string[]) => new Promise<{ out: string; ms: number }>((resolve) => {
      const t0 = Date.now();
      execFile('script', ['-qec', shellJoin(argv), '/dev/null'], { timeout: 2500, killSignal: 'SIGKILL' }, (_err, out) =>
        resolve({ out: String(out), ms: Date.now() - t0 }));
    });
    const host = ['-F', `${dir}/config`, '-p', '2203', B.address];
    expect((await onTty(['ssh', ...host, 'true'])).out).toMatch(/password:/);
    const ours = await onTty(['ssh', ...sshArgs(`${B.address}:2203`, `${dir}/config`, 5000)]);
    expect(ours.out).not.toMatch(/password:/);
    expect(ours.out).toMatch(/Permission denied/);
    expect(ours.ms).toBeLessThan(3000);
  });

  it('host key verification failures are named', async () => {
    const dir = tmpdir();
    writeFileSync(`${dir}/config`, 'Host *\n  User root\n  StrictHostKeyChecking yes\n  UserKnownHostsFile /dev/null\n  GlobalKnownHostsFile /dev/null\n');
    const [r] = await gather([target(A)], 2000, `${dir}/config`);
    expect(r).toMatchObject({ ok: false, error: 'host key verification failed' });
  });

  it('a host without ps still reports load, memory and disks, and its workers from /proc', async () => {
    await docker(['exec', B.name, 'rm', '-f', '/usr/bin/ps']);
    await startIn(B.name, 'celery -A fleetapp worker -n nops-v0.13.0@%h -c 1');
    await waitForWorkers(['nops-v0.13.0@hostB']);
    const [r] = await gather([target(B)]);
    expect(r).toMatchObject({ ok: true, hostname: 'hostB', partial: false });
    expect(r.warnings).toContain('ps not found; Celery processes were read from /proc');
    expect(r.load).not.toBeNull();
    expect(r.memory).not.toBeNull();
    expect(r.disks.length).toBeGreaterThan(0);
    const [p] = r.processes as [ProcessRecord];
    // A worker caught mid-run reads R: either is an idle, live worker.
    expect(p).toMatchObject({ worker_name: 'nops-v0.13.0@hostB', state: expect.stringMatching(/^[SR]/), cwd: '/srv/app' });
    expect(p.children).toHaveLength(1);
    expect(p.rss_kb).toBeGreaterThan(1000);
    expect(p.elapsed_s).toBeLessThan(120);
  });

  it('says so when there is no ssh client to run', async () => {
    const [r] = await gatherSsh({ hosts: [target(A)], config, concurrency: 1 }, { timeoutMs: 2000, env: { PATH: '/nonexistent' } });
    expect(r).toMatchObject({ ok: false, error: 'ssh not found: install an OpenSSH client' });
  });

  it('stops at once when cancelled, and leaves no ssh behind', async () => {
    const ctl = new AbortController();
    const hangs = `127.0.0.1:${silentPort}`;
    setTimeout(() => ctl.abort(), 300);
    const t0 = Date.now();
    await expect(gatherSsh({ hosts: [hangs, hangs], config, concurrency: 2 }, { timeoutMs: 5000, signal: ctl.signal }))
      .rejects.toBeInstanceOf(InterruptedError);
    expect(Date.now() - t0).toBeLessThan(2000);
    const { execFileSync } = await import('node:child_process');
    const ps = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
    expect(ps.split('\n').filter((l) => l.startsWith('ssh ') && l.includes(`-p ${silentPort}`))).toEqual([]);
  });
});
