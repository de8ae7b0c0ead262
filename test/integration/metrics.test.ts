// metrics against a real fleet: promtool on the exposition and the textfile, a real Prometheus
// scraping --listen, and task outcomes from real workers started with -E that fail their tasks.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST, sendTasks, startWorker, type CeleryWorker } from '../helpers/celery.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/fleet.js';
import { freePort, snapshot, startRedis, type RedisServer } from '../helpers/redis.js';

const BIN = fileURLToPath(new URL('../../bin/fleetdoc', import.meta.url));
let redis: RedisServer;
const workers: CeleryWorker[] = [];
const dirs: string[] = [];
const procs: ChildProcess[] = [];
const tmp = () => {
  const d = mkdtempSync('/tmp/fdt-w-metrics-');
  dirs.push(d);
  return d;
};
const base = () => ['-b', redis.url, '--no-docker', '--server-version', '1.0.0'];
const OK = `ok-v1.0.0@${HOST}`;
const OLD = `old-v0.9.0@${HOST}`;
const QUIET = `quiet-v1.0.0@${HOST}`;
// A worker name with every character the exposition format must escape.
const HOSTILE = `evil"\\-v1.0.0@${HOST}`;

function promtool(text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = execFile('promtool', ['check', 'metrics'], (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, out: stdout + stderr }));
    p.stdin!.end(text);
  });
}

// Idle workers may take kombu's restore lock now and then; it is theirs, not ours.
const keys = async () => {
  const s = await snapshot(redis.client);
  delete s.unacked_mutex;
  for (const k of Object.keys(s)) if (k.startsWith('celery-task-meta-') || k === 'fragile' || k === 'celery') delete s[k];
  return s;
};

beforeAll(async () => {
  redis = await startRedis();
  workers.push(...(await Promise.all([
    startWorker(redis.url, redis.client, { name: 'ok-v1.0.0@%h', queues: ['celery'], extra: ['-E'] }),
    startWorker(redis.url, redis.client, { name: 'old-v0.9.0@%h', queues: ['fragile'], extra: ['-E'] }),
    startWorker(redis.url, redis.client, { name: 'quiet-v1.0.0@%h', queues: ['quiet'] }),
    startWorker(redis.url, redis.client, { name: 'evil"\\-v1.0.0@%h', queues: ['celery'] }),
  ])));
}, 120_000);

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('fleetdoc metrics', () => {
  it('prints an exposition promtool accepts, hostile names escaped, and leaves the broker as it was', async () => {
    const before = await keys();
    // 4.5 s: two beats of a 2 s heart, so a beat late on a loaded machine still lands in the window.
    const r = await runCli(['metrics', ...base(), '--window', '4.5']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(await promtool(r.stdout)).toEqual({ code: 0, out: '' });
    const escaped = HOSTILE.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    expect(r.stdout).toContain(`fleetdoc_worker_info{worker="${escaped}",basename="evil\\"\\\\",host="${HOST}",version="1.0.0",status="compatible",state="healthy"} 1`);
    expect(r.stdout).toContain(`fleetdoc_worker_info{worker="${OLD}",basename="old",host="${HOST}",version="0.9.0",status="mismatched",state="healthy"} 1`);
    expect(r.stdout).toContain(`fleetdoc_worker_responsive{worker="${OK}"} 1`);
    expect(r.stdout).toMatch(new RegExp(`fleetdoc_worker_heartbeat_age_seconds\\{worker="${OK}"\\} \\d`));
    expect(r.stdout).toContain('fleetdoc_queue_consumers{queue="fragile",kind="incompatible"} 1');
    expect(r.stdout).toContain('fleetdoc_queue_messages{queue="celery"} 0');
    expect(r.stdout).toContain('fleetdoc_source_up{source="broker"} 1');
    expect(r.stdout).toContain('fleetdoc_findings{check="worker-versions",severity="critical"} 1');
    expect(r.stdout).toContain(`fleetdoc_status ${r.code}`);
    expect(r.stdout).toMatch(/^fleetdoc_gather_duration_seconds \d+(\.\d+)?$/m);
    for (const name of ['fleetdoc_queue_unacked', 'fleetdoc_queue_oldest_unacked_seconds', 'fleetdoc_container_restarts']) expect(r.stdout).toContain(`# TYPE ${name} gauge`);
    expect(await keys()).toEqual(before);
  }, 30_000);

  it('writes the textfile atomically: the whole exposition, no temporary file left', async () => {
    const dir = tmp();
    const path = `${dir}/fleetdoc.prom`;
    writeFileSync(path, 'old\n');
    const r = await runCli(['metrics', ...base(), '--window', '0', '--textfile', path]);
    expect(r.stdout).toBe('');
    const text = readFileSync(path, 'utf8');
    expect(await promtool(text)).toEqual({ code: 0, out: '' });
    expect(text).toContain(`fleetdoc_worker_responsive{worker="${OK}"} 1`);
    expect(readdirSync(dir)).toEqual(['fleetdoc.prom']);
    const bad = await runCli(['metrics', ...base(), '--window', '0', '--textfile', `${dir}/missing/x.prom`]);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/--textfile .*missing\/x\.prom/);
  }, 30_000);

  it('counts task outcomes from real -E workers: stale --json rows and the task-failures check', async () => {
    // Send while listening: pub/sub keeps no backlog.
    const staleP = runCli(['stale', ...base(), '--json', '--listen', '6']);
    const diagP = runCli(['diagnose', ...base(), '--json', '--listen', '6', '-v']);
    await new Promise((r) => setTimeout(r, 1500));
    await Promise.all([sendTasks(redis.url, 'fragile', 5, 'fleetapp.fail'), sendTasks(redis.url, 'celery', 3, 'fleetapp.add')]);
    const [stale, diag] = await Promise.all([staleP, diagP]);
    const rows = JSON.parse(stale.stdout).workers as { name: string; tasks: Record<string, number> | null; failure_rate: number | null }[];
    const row = (n: string) => rows.find((w) => w.name === n)!;
    expect(row(OLD).tasks).toEqual({ succeeded: 0, failed: 5, retried: 0, rejected: 0 });
    expect(row(OLD).failure_rate).toBe(1);
    // Two workers share celery; together they ran 3, and only the -E one reports what it ran.
    expect(row(OK).failure_rate).toBe(row(OK).tasks ? 0 : null);
    expect(row(QUIET)).toMatchObject({ tasks: null, failure_rate: null });
    const d = JSON.parse(diag.stdout);
    const check = d.checks.find((c: { name: string }) => c.name === 'task-failures');
    expect(check.status).toBe('critical');
    const found = d.findings.filter((f: { check: string }) => f.check === 'task-failures');
    expect(found).toEqual([expect.objectContaining({ subject: OLD, severity: 'critical', message: expect.stringContaining(`${OLD} failed 5 of 5 tasks`) })]);
    expect(found[0].remediation).toEqual([{ where: 'here', command: `fleetdoc kill ${OLD} --yes` }]);
    expect(check.evidence.join('\n')).toMatch(new RegExp(`no task events from .*${QUIET.replace(/[.]/g, '\\.')}.*started without -E`));
    const beat = d.checks.find((c: { name: string }) => c.name === 'beat');
    expect(beat).toMatchObject({ status: 'ok', skipped: expect.stringContaining('no --ssh hosts') });
  }, 60_000);

  it('serves /metrics to a real Prometheus, and on SIGTERM closes the broker connection and leaves no reply key', async () => {
    const before = await keys();
    const clients0 = (await redis.client.client('LIST') as string).split('\n').filter(Boolean).length;
    const port = await freePort();
    const fd = spawn(process.execPath, [BIN, 'metrics', ...base(), '--listen', `127.0.0.1:${port}`, '--interval', '1', '--window', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(fd);
    let err = '';
    fd.stderr!.on('data', (d) => { err += d; });
    await waitFor('metrics server', async () => /serving metrics/.test(err), 15_000);
    const dir = tmp();
    const promPort = await freePort();
    writeFileSync(`${dir}/prometheus.yml`, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: fleetdoc\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`);
    const prom = spawn('prometheus', [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    procs.push(prom);
    const query = async (q: string) => {
      const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`).catch(() => null);
      if (!res?.ok) return [];
      return ((await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result;
    };
    await waitFor('prometheus to scrape fleetdoc', async () => (await query('up{job="fleetdoc"}')).some((x) => x.value[1] === '1'), 40_000);
    await waitFor('a fleetdoc metric in prometheus', async () => (await query('fleetdoc_worker_responsive')).length >= 4, 20_000);
    const responsive = await query(`fleetdoc_worker_responsive{worker="${OK}"}`);
    expect(responsive.map((x) => x.value[1])).toEqual(['1']);
    const hostile = await query('fleetdoc_worker_info{basename="evil\\"\\\\"}');
    expect(hostile.map((x) => x.metric.worker)).toEqual([HOSTILE]);
    // Gathering at most once per interval: two quick scrapes see the same gather.
    const [a, b] = await Promise.all([1, 2].map(async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text()));
    expect(a.match(/^fleetdoc_gather_duration_seconds .*$/m)?.[0]).toBe(b.match(/^fleetdoc_gather_duration_seconds .*$/m)?.[0]);
    prom.kill('SIGTERM');
    fd.kill('SIGTERM');
    const code = await new Promise((r) => fd.once('exit', r));
    expect(code).toBe(0);
    await waitFor('fleetdoc connections to close', async () => (await redis.client.client('LIST') as string).split('\n').filter(Boolean).length <= clients0, 5_000);
    expect(await keys()).toEqual(before);
  }, 90_000);
});
