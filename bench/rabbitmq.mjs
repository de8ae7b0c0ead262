// Benchmark: `fleetdoc workers --json` against `celery inspect active_queues -j` on one real fleet
// on a private RabbitMQ node, interleaved in the same run. Prints medians; asserts nothing.
import { hostname } from 'node:os';
import { FLEETDOC, PYTHON, fmt, measure, median, startRabbit, startWorkers } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const FLEET = Number(process.env.BENCH_FLEET ?? 4);

const rmq = await startRabbit();
const names = Array.from({ length: FLEET }, (_, i) => `bench${i}-v1.0.0@%h`);
// Up once the API counts a consumer on each pidbox queue.
const up = async () => {
  const qs = (await rmq.get('/api/queues/%2F?columns=name,consumers')) ?? [];
  return qs.filter((q) => q.name.endsWith('.celery.pidbox') && q.consumers > 0).length;
};
const fleet = await startWorkers(rmq.url, names, up);
// The management API's port is private to this node.
const api = `http://127.0.0.1:${rmq.apiPort}`;
try {
  const fd = [], ce = [];
  let fdSet = '', ceSet = '';
  for (let i = 0; i < ROUNDS; i++) {
    const a = await measure(FLEETDOC, ['workers', '--json', '--no-docker', '-b', rmq.url, '--rabbitmq-api', api, '--server-version', '1.0.0']);
    const b = await measure(PYTHON, ['-m', 'celery', '-b', rmq.url, 'inspect', 'active_queues', '-j']);
    fd.push(a); ce.push(b);
    try {
      fdSet = JSON.parse(a.out).workers.map((w) => w.name).sort().join(',');
    } catch {
      fdSet = `(no JSON, exit ${a.code})`;
    }
    ceSet = Object.keys(JSON.parse(b.out)).sort().join(',');
  }
  const fdMs = median(fd.map((r) => r.ms)), ceMs = median(ce.map((r) => r.ms));
  console.log(`rabbitmq: real fleet of ${FLEET} Celery workers on RabbitMQ, ${ROUNDS} interleaved rounds (host ${hostname()})`);
  console.log(`  fleetdoc workers --json          median ${fmt(fdMs)} ms  peak ${fmt(Math.max(...fd.map((r) => r.mb)))} MB`);
  console.log(`  celery inspect active_queues -j  median ${fmt(ceMs)} ms  peak ${fmt(Math.max(...ce.map((r) => r.mb)))} MB`);
  const failed = fd.filter((r) => r.code !== 0).length;
  if (failed) console.log(`  fleetdoc failed in ${failed} of ${ROUNDS} rounds (exit ${fd.map((r) => r.code).join(',')}): no speed-up to report`);
  else console.log(`  speed-up ${fmt(ceMs / fdMs)}x; same workers found: ${fdSet === ceSet ? 'yes' : `NO (${fdSet} vs ${ceSet})`}`);
} finally {
  fleet.stop();
  await rmq.stop();
}
