// Benchmark: the SSH source over 100 real sshd endpoints (one host container
// running an sshd on each of 127.0.1.1 … 127.0.1.100, with two Celery workers
// in it). Each host alone, then all at once: the run should take about as
// long as the slowest host, not the sum. Run twice: straight over loopback,
// and through a relay that delays every packet like a real network would.
// Prints figures; asserts nothing. Needs `npm run build` and the test
// environment (`npm run bench`, or `testenv.sh run -- node bench/run.mjs ssh`).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { fmt, median, startRedis } from './lib.mjs';

const { gatherSsh } = await import('../dist/sources/ssh/hosts.js');
const run = promisify(execFile);
const DOCKER = process.env.FLEETDOC_TEST_DOCKER || '/usr/bin/docker';
const IMAGE = process.env.FLEETDOC_TEST_IMAGE || 'fleetdoc-test:1';
const CONFIG = process.env.FLEETDOC_TEST_SSH_CONFIG;
const HOSTS = Number(process.env.BENCH_SSH_HOSTS ?? 100);
const DELAY_MS = Number(process.env.BENCH_SSH_DELAY_MS ?? 20); // each way
const NAME = 'fdt-ssh-bench';
const LABELS = ['--label', 'fleetdoc-test=1', ...(process.env.FLEETDOC_TEST_STATE ? ['--label', `fleetdoc-test.state=${process.env.FLEETDOC_TEST_STATE}`] : [])];
if (!CONFIG) throw new Error('bench/ssh.mjs needs the test environment: npm run bench, or testenv.sh run -- node bench/run.mjs ssh');

const docker = (args) => run(DOCKER, args, { maxBuffer: 1 << 26 });
const direct = Array.from({ length: HOSTS }, (_, i) => `127.0.1.${i + 1}:2201`);
const relayed = Array.from({ length: HOSTS }, (_, i) => `127.0.2.${i + 1}:2201`);
const gather = (hosts, concurrency, fastKex = false) => gatherSsh({ hosts, config: CONFIG, concurrency, fastKex }, { timeoutMs: 60_000 });

// PID 1 installs the key, starts one daemonized sshd per address, then idles.
const ENTRY = 'umask 077 && mkdir -p /root/.ssh && printf "%s\\n" "$KEY" > /root/.ssh/authorized_keys && ' +
  'i=1; while [ $i -le "$0" ]; do /usr/sbin/sshd -o ListenAddress=127.0.1.$i -o Port=2201 -o PidFile=none || exit 1; i=$((i+1)); done; ' +
  'exec tail -f /dev/null';

// A TCP relay per endpoint that holds every chunk DELAY_MS in each direction.
function startRelays() {
  const servers = direct.map((to, i) => createServer((a) => {
    const b = createConnection(2201, `127.0.1.${i + 1}`);
    const pipe = (from, dest) => {
      from.on('data', (d) => setTimeout(() => dest.writable && dest.write(d), DELAY_MS));
      from.on('end', () => setTimeout(() => dest.end(), DELAY_MS));
      from.on('error', () => dest.destroy());
    };
    pipe(a, b);
    pipe(b, a);
  }).listen(2201, `127.0.2.${i + 1}`));
  return () => servers.forEach((s) => s.close());
}

// CPU seconds of our reaped children (the ssh clients) and of the container (the sshd side).
const clientCpu = () => readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ').slice(13, 15).reduce((a, b) => a + Number(b), 0) / 100;
let cgroupStat = null;
const hostCpu = () => (cgroupStat ? Number(/usage_usec (\d+)/.exec(readFileSync(cgroupStat, 'utf8'))[1]) / 1e6 : NaN);

async function time(f) {
  const c0 = clientCpu(), h0 = hostCpu(), t0 = performance.now();
  const out = await f();
  return { ms: performance.now() - t0, client: clientCpu() - c0, host: hostCpu() - h0, out };
}

async function scenario(label, targets) {
  const single = [];
  for (const t of targets) single.push((await time(() => gather([t], 1))).ms);
  const slowest = Math.max(...single);
  const sum = single.reduce((a, b) => a + b, 0);
  const all = await time(() => gather(targets, HOSTS));
  const dflt = await time(() => gather(targets, 16));
  const fastSingle = [];
  for (const t of targets.slice(0, 10)) fastSingle.push((await time(() => gather([t], 1, true))).ms);
  const fast = await time(() => gather(targets, HOSTS, true));
  const bad = all.out.filter((r) => !r.ok || r.partial);
  const found = all.out.reduce((n, r) => n + r.processes.length, 0);
  const floor = (all.client + all.host) / cpus().length;
  console.log(`  ${label}`);
  console.log(`    one host at a time     slowest ${fmt(slowest)} ms, median ${fmt(median(single))} ms, sum ${fmt(sum / 1000)} s`);
  console.log(`    all ${HOSTS} at once         ${fmt(all.ms)} ms = ${fmt(all.ms / slowest)}x the slowest host, ${fmt(sum / all.ms)}x faster than the sum`);
  console.log(`      CPU: ssh clients ${fmt(all.client)} s + the sshd side ${fmt(all.host)} s on the same ${cpus().length} CPUs = at least ${fmt(floor * 1000)} ms` +
      ` (${fmt((all.client * 1000) / HOSTS, 0)} + ${fmt((all.host * 1000) / HOSTS, 0)} ms per host)`);
  console.log(`    --ssh-concurrency 16   ${fmt(dflt.ms)} ms`);
  const fastSlowest = Math.max(...fastSingle);
  console.log(`    --ssh-fast-kex: one host ${fmt(median(fastSingle))} ms (slowest of 10: ${fmt(fastSlowest)} ms); all ${HOSTS} at once ${fmt(fast.ms)} ms = ${fmt(fast.ms / fastSlowest)}x the slowest` +
    ` (CPU ${fmt((fast.client * 1000) / HOSTS, 0)} + ${fmt((fast.host * 1000) / HOSTS, 0)} ms per host)`);
  console.log(`    hosts ok and complete: ${HOSTS - bad.length}/${HOSTS}; worker processes found: ${found} (2 per host)` +
    (bad.length ? `; e.g. ${bad[0].target}: ${bad[0].error ?? bad[0].warnings.join('; ')}` : ''));
}

const redis = await startRedis();
await docker(['rm', '-f', NAME]).catch(() => undefined);
const { stdout: id } = await docker(['run', '-d', '--name', NAME, '--network', 'host', '--hostname', 'benchhost', ...LABELS,
  '-e', `KEY=${readFileSync(process.env.FLEETDOC_TEST_SSH_PUBKEY, 'utf8').trim()}`, IMAGE, 'sh', '-c', ENTRY, String(HOSTS)]);
const stopRelays = startRelays();
try {
  const cg = ['/sys/fs/cgroup/unified/docker', '/sys/fs/cgroup/docker', '/sys/fs/cgroup/system.slice'].flatMap((d) =>
    [`${d}/${id.trim()}/cpu.stat`, `${d}/docker-${id.trim()}.scope/cpu.stat`]);
  cgroupStat = cg.find((f) => { try { return readFileSync(f, 'utf8').includes('usage_usec'); } catch { return false; } }) ?? null;
  for (const n of ['a', 'b']) {
    await docker(['exec', '-d', NAME, 'celery', '-b', redis.url, 'worker', '-n', `bench-${n}-v1.0.0@%h`, '-c', '2', '--loglevel=warning']);
  }
  // Wait until every endpoint answers and both workers (with their children) are up.
  for (let i = 0; ; i++) {
    const reports = await gather(direct, 16);
    if (reports.every((r) => r.ok) && reports[0].processes.filter((p) => p.children.length === 2).length === 2) break;
    if (i > 100) throw new Error(`endpoints not ready: ${reports.filter((r) => !r.ok).map((r) => `${r.target} ${r.error}`).slice(0, 3)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  console.log(`ssh: ${HOSTS} sshd endpoints in one container on this machine (${cpus().length} CPUs); each session runs the full probe`);
  await scenario('straight over loopback (the hosts\' sshd share our CPUs)', direct);
  await scenario(`through a relay adding ${DELAY_MS} ms each way (${2 * DELAY_MS} ms round trips)`, relayed);
} finally {
  stopRelays();
  await docker(['rm', '-f', NAME]).catch(() => undefined);
  redis.stop();
}
