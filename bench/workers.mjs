// Benchmark: `fleetdoc workers --json` against `celery inspect active_queues -j` on one real fleet,
// then fleetdoc alone against 1,000 simulated responders. Prints figures; asserts nothing.
// fleetdoc runs as installed: bin/fleetdoc itself, launcher included, not `node bin/fleetdoc`.
import { hostname } from 'node:os';
import { FLEETDOC, PYTHON, fmt, measure, median, phaseSummary, startRedis, startWorkers } from './lib.mjs';
import { startResponders } from './responder.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const FLEET = Number(process.env.BENCH_FLEET ?? 4);
// fleetdoc prints where its time went (node start-up, module loading, connect, round trips) on stderr.
const TIMED = { env: { FLEETDOC_TIMINGS: '1' } };
// BENCH_BASELINE=/path/to/another/bin/fleetdoc: time that build too, in the same rounds (before/after).
const BASELINE = process.env.BENCH_BASELINE;

const redis = await startRedis();
const names = Array.from({ length: FLEET }, (_, i) => `bench${i}-v1.0.0@%h`);
const fleet = await startWorkers(redis.url, names);
try {
  const fd = [], ce = [], base = [], bare = [], bareNoCa = [];
  let fdSet = '', ceSet = '';
  for (let i = 0; i < ROUNDS; i++) {
    // Interleaved so that both see the same machine state.
    const a = await measure(FLEETDOC, ['workers', '--json', '--no-docker', '-b', redis.url, '--server-version', '1.0.0'], TIMED);
    const b = await measure(PYTHON, ['-m', 'celery', '-b', redis.url, 'inspect', 'active_queues', '-j']);
    if (BASELINE) base.push(await measure(BASELINE, ['workers', '--json', '--no-docker', '-b', redis.url, '--server-version', '1.0.0']));
    // The floor: Node starting and exiting, doing nothing. NODE_EXTRA_CA_CERTS, when the machine sets
    // it, makes Node parse its whole root store before any JavaScript runs; shown beside it.
    bare.push(await measure('node', ['-e', '0']));
    if (process.env.NODE_EXTRA_CA_CERTS) bareNoCa.push(await measure('node', ['-e', '0'], { env: { NODE_EXTRA_CA_CERTS: '' } }));
    fd.push(a); ce.push(b);
    fdSet = JSON.parse(a.out).workers.map((w) => w.name).sort().join(',');
    ceSet = Object.keys(JSON.parse(b.out)).sort().join(',');
  }
  const fdMs = median(fd.map((r) => r.ms)), ceMs = median(ce.map((r) => r.ms));
  console.log(`workers: real fleet of ${FLEET} Celery workers, ${ROUNDS} interleaved rounds (host ${hostname()})`);
  console.log(`  fleetdoc workers --json          median ${fmt(fdMs)} ms  peak ${fmt(Math.max(...fd.map((r) => r.mb)))} MB`);
  console.log(`  celery inspect active_queues -j  median ${fmt(ceMs)} ms  peak ${fmt(Math.max(...ce.map((r) => r.mb)))} MB`);
  console.log(`    phases, median ms: ${phaseSummary(fd)}`);
  const caNote = bareNoCa.length ? `; ${fmt(median(bareNoCa.map((r) => r.ms)))} ms with NODE_EXTRA_CA_CERTS unset (this machine sets it)` : '';
  console.log(`  floor: node -e 0  median ${fmt(median(bare.map((r) => r.ms)))} ms${caNote}`);
  if (BASELINE) {
    const baseMs = median(base.map((r) => r.ms));
    console.log(`  baseline ${BASELINE}  median ${fmt(baseMs)} ms  peak ${fmt(Math.max(...base.map((r) => r.mb)))} MB  (${fmt(ceMs / baseMs)}x)`);
  }
  console.log(`  speed-up ${fmt(ceMs / fdMs)}x; same workers found: ${fdSet === ceSet ? 'yes' : `NO (${fdSet} vs ${ceSet})`}`);
} finally {
  fleet.stop();
}

redis.stop();
// A fresh broker: the real workers above were SIGKILLed and left roster ghosts behind.
const redis2 = await startRedis();
const SIM = Number(process.env.BENCH_SIM ?? 1000);
const sim = await startResponders({ url: redis2.url, names: Array.from({ length: SIM }, (_, i) => `sim${i}-v1.0.0@node${i % 50}`) });
try {
  const runs = [], baseRuns = [];
  const args = ['workers', '--json', '--no-docker', '-b', redis2.url, '--server-version', '1.0.0', '-t', '5'];
  for (let i = 0; i < 5; i++) {
    runs.push(await measure(FLEETDOC, [...args], TIMED));
    if (BASELINE) baseRuns.push(await measure(BASELINE, [...args]));
  }
  const found = JSON.parse(runs.at(-1).out).workers.filter((w) => w.responsive).length;
  console.log(`workers: ${SIM} simulated responders, 5 runs`);
  console.log(`  fleetdoc workers --json  median ${fmt(median(runs.map((r) => r.ms)))} ms  peak ${fmt(Math.max(...runs.map((r) => r.mb)))} MB  responsive ${found}/${SIM}`);
  console.log(`    phases, median ms: ${phaseSummary(runs)}`);
  if (BASELINE) console.log(`  baseline  median ${fmt(median(baseRuns.map((r) => r.ms)))} ms  peak ${fmt(Math.max(...baseRuns.map((r) => r.mb)))} MB`);
} finally {
  await sim.stop();
  redis2.stop();
}
