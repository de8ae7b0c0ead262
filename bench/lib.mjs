// Shared by the benchmarks: real servers on loopback, timing with peak memory of the child.
import { spawn, execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PYTHON = process.env.FLEETDOC_TEST_PYTHON ?? '/usr/bin/python3';
export const FLEETDOC = `${ROOT}bin/fleetdoc`;
const run = promisify(execFile);

export async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startRedis() {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--set-proc-title', 'no'], {
    stdio: 'ignore', env: { ...process.env, FLEETDOC_TEST: '1' },
  });
  let client;
  for (let i = 0; ; i++) {
    client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    try { await client.connect(); await client.ping(); break; } catch (err) {
      client.disconnect();
      if (i > 200) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { port, url: `redis://127.0.0.1:${port}/0`, client, stop: () => { client.disconnect(); proc.kill('SIGKILL'); } };
}

export { startRabbit } from '../test/helpers/rabbitmq-node.mjs';

/** Start real workers; `ready()` says how many are up (default: Redis roster members). */
export async function startWorkers(url, names, ready = null) {
  const procs = names.map((name) => spawn(PYTHON, ['-m', 'celery', '-A', 'fleetapp', 'worker', '-n', name, '-c', '1',
    '--loglevel=warning', '--without-mingle', '--without-gossip'], {
    cwd: `${ROOT}test/fixtures/app`, stdio: 'ignore', env: { ...process.env, FLEETDOC_TEST: '1', FLEETDOC_TEST_BROKER: url },
  }));
  const client = ready ? null : new Redis(url);
  const count = ready ?? (() => client.scard('_kombu.binding.celery.pidbox'));
  for (let i = 0; i < 300; i++) {
    if ((await count()) >= names.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  client?.disconnect();
  return { stop: () => procs.forEach((p) => p.kill('SIGKILL')) };
}

/** Wall time (ms) and peak RSS (MB) of one command, measured by a tiny Python parent via getrusage. */
export async function measure(cmd, args, opts = {}) {
  const probe = 'import resource,subprocess,sys,time\n'
    + 't=time.perf_counter();p=subprocess.run(sys.argv[1:],capture_output=True)\n'
    + 'e=time.perf_counter()-t\n'
    + 'sys.stderr.buffer.write(p.stderr)\n'
    + 'sys.stdout.buffer.write(b"%f %d %d\\n"%(e*1000,resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,p.returncode)+p.stdout)';
  const { stdout, stderr } = await run(PYTHON, ['-c', probe, cmd, ...args], { maxBuffer: 1 << 28, cwd: opts.cwd, env: { ...process.env, ...opts.env } });
  const nl = stdout.indexOf('\n');
  const [ms, kb, code] = stdout.slice(0, nl).split(' ').map(Number);
  return { ms, mb: kb / 1024, code, out: stdout.slice(nl + 1), err: stderr };
}

export const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
export const fmt = (n, d = 1) => n.toFixed(d);

/** The phases of one run, from the line FLEETDOC_TIMINGS=1 makes fleetdoc print on stderr. */
export function parseTimings(stderr) {
  const line = stderr.split('\n').find((l) => l.startsWith('fleetdoc: timings (ms): '));
  if (!line) return null;
  const phases = {};
  for (const part of line.slice(24).split(';')[0].split(', ')) {
    const [name, value] = part.split(' ');
    phases[name] = Math.abs(Number(value));
  }
  return phases;
}

/** Median of each phase over several runs, as "name ms" pairs in the order they happened. */
export function phaseSummary(runs) {
  const all = runs.map((r) => parseTimings(r.err)).filter(Boolean);
  if (!all.length) return '(no timings)';
  // Phases can differ between runs (the first run compiles, later ones load the code cache).
  const names = [...new Set(all.flatMap((p) => Object.keys(p)))];
  return names.map((k) => {
    const seen = all.filter((p) => k in p);
    return `${k} ${fmt(median(seen.map((p) => p[k])), 0)}${seen.length < all.length ? ` (${seen.length} of ${all.length} runs)` : ''}`;
  }).join(', ');
}

/** Waits (up to `maxS`) until the CPUs were at least 90% idle for two seconds in a row: starting
 *  hundreds of containers leaves the host busy for a while, and figures taken then measure that. */
export async function settle(maxS = 90) {
  const { readFileSync } = await import('node:fs');
  const sample = () => readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  let quiet = 0;
  for (let i = 0; i < maxS && quiet < 2; i++) {
    const a = sample();
    await new Promise((r) => setTimeout(r, 1000));
    const b = sample();
    const d = b.map((v, k) => v - a[k]);
    const total = d.reduce((x, y) => x + y, 0);
    quiet = total > 0 && (d[3] + d[4]) / total >= 0.9 ? quiet + 1 : 0;
  }
  return quiet >= 2;
}
