// Benchmark: `fleetdoc diagnose` runs its sources side by side. Each source alone (all with the
// broker, the one source every run needs), then all together: the total should be about the
// slowest source, not the sum. Prints figures; asserts nothing. Needs the test environment.
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { FLEETDOC, fmt, freePort, measure, median, startRedis, startWorkers } from './lib.mjs';

const run = promisify(execFile);
const DOCKER = process.env.FLEETDOC_TEST_DOCKER || '/usr/bin/docker';
const IMAGE = process.env.FLEETDOC_TEST_IMAGE || 'fleetdoc-test:1';
const CONFIG = process.env.FLEETDOC_TEST_SSH_CONFIG;
const PUBKEY = process.env.FLEETDOC_TEST_SSH_PUBKEY;
if (!CONFIG) throw new Error('bench/diagnose.mjs needs the test environment: npm run bench');
const HOST = { name: 'fdt-bench-diag', address: '127.0.0.41', port: 2241 };
const REGISTRY_DELAY_MS = 1200;
const LISTEN_S = 1.5;

const redis = await startRedis();
const fleet = await startWorkers(redis.url, ['bench-a-v1.0.0@%h', 'bench-b-v1.0.0@%h']);
const port = await freePort();
const registry = createServer((_q, res) => setTimeout(() => res.end(JSON.stringify([{ worker_id: 'w1', status: 'running', last_heartbeat: new Date().toISOString() }])), REGISTRY_DELAY_MS))
  .listen(port, '127.0.0.1');
await run(DOCKER, ['rm', '-f', HOST.name]).catch(() => undefined);
await run(DOCKER, ['run', '-d', '--name', HOST.name, '--label', 'fleetdoc-test=1', '--network', 'host', '--hostname', 'benchhost', '-e', `KEY=${(await import('node:fs')).readFileSync(PUBKEY, 'utf8').trim()}`,
  IMAGE, 'sh', '-c', `mkdir -p /root/.ssh && printf "%s\\n" "$KEY" > /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys && exec /usr/sbin/sshd -D -o ListenAddress=${HOST.address} -o Port=${HOST.port}`]);
await new Promise((r) => setTimeout(r, 1500));

const base = ['diagnose', '--json', '-b', redis.url, '--server-version', '1.0.0', '-t', '2', '--listen', '0', '--no-docker'];
const variants = {
  'broker + heartbeats': [...base, '--listen', String(LISTEN_S)],
  'broker + registry': [...base, '--registry', `http://127.0.0.1:${port}/workers`],
  'broker + ssh host': [...base, '--ssh-config', CONFIG, '--ssh', `${HOST.address}:${HOST.port}`],
  'broker + docker': [...base.filter((a) => a !== '--no-docker'), '--docker', 'unix:///var/run/docker.sock'],
};
const all = [...base.filter((a) => a !== '--no-docker'), '--listen', String(LISTEN_S), '--registry', `http://127.0.0.1:${port}/workers`,
  '--ssh-config', CONFIG, '--ssh', `${HOST.address}:${HOST.port}`, '--docker', 'unix:///var/run/docker.sock'];
try {
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
  const times = Object.fromEntries([...Object.keys(variants), 'all'].map((k) => [k, []]));
  for (let i = 0; i < ROUNDS; i++) {
    for (const [k, args] of Object.entries(variants)) times[k].push((await measure(FLEETDOC, args)).ms);
    times.all.push((await measure(FLEETDOC, all)).ms);
  }
  console.log(`diagnose: each source alone vs all at once, ${ROUNDS} interleaved rounds (median wall time)`);
  let sum = 0;
  for (const k of Object.keys(variants)) {
    sum += median(times[k]);
    console.log(`  ${k.padEnd(22)} ${fmt(median(times[k]))} ms`);
  }
  console.log(`  ${'all sources together'.padEnd(22)} ${fmt(median(times.all))} ms  (sum of the singles ${fmt(sum)} ms, slowest single ${fmt(Math.max(...Object.keys(variants).map((k) => median(times[k]))))} ms)`);
} finally {
  await run(DOCKER, ['rm', '-f', HOST.name]).catch(() => undefined);
  registry.close();
  fleet.stop();
  redis.stop();
}
