// Benchmark: the Docker source on one engine holding 200 idle containers and
// 5 worker containers. Prints figures; asserts nothing. Needs `npm run build`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FLEETDOC, ROOT, fmt, measure, median, settle, startRedis } from './lib.mjs';

const run = promisify(execFile);
const DOCKER = process.env.FLEETDOC_TEST_DOCKER || '/usr/bin/docker';
const IMAGE = process.env.FLEETDOC_TEST_IMAGE || 'fleetdoc-test:1';
const IDLE = Number(process.env.BENCH_CONTAINERS ?? 200);
const WORKERS = 5;
const ROUNDS = 5;
const ENGINE = 'unix:///var/run/docker.sock';
const LABELS = ['--label', 'fleetdoc-test=1', ...(process.env.FLEETDOC_TEST_STATE ? ['--label', `fleetdoc-test.state=${process.env.FLEETDOC_TEST_STATE}`] : [])];
const PREFIX = `fdt-bench-docker-${process.pid}`;

const docker = (args) => run(DOCKER, args, { maxBuffer: 1 << 26 });

// `docker run` takes a few hundred ms each: start them a batch at a time.
async function startAll(specs) {
  for (let i = 0; i < specs.length; i += 20) {
    await Promise.all(specs.slice(i, i + 20).map(([name, cmd]) =>
      docker(['run', '-d', '--name', `${PREFIX}-${name}`, '--network', 'host', ...LABELS, IMAGE, ...cmd])));
  }
}

const redis = await startRedis();
const specs = [
  ...Array.from({ length: IDLE }, (_, i) => [`idle${i}`, ['sleep', '600']]),
  ...Array.from({ length: WORKERS }, (_, i) => [`worker${i}`, ['celery', '-b', redis.url, 'worker', '-n', `bench${i}-v1.0.0@%h`, '--loglevel=warning']]),
];
try {
  const t0 = Date.now();
  await startAll(specs);
  console.log(`docker: ${IDLE} idle + ${WORKERS} worker containers started in ${fmt((Date.now() - t0) / 1000)} s`);
  const t1 = Date.now();
  const quiet = await settle();
  console.log(`docker: waited ${fmt((Date.now() - t1) / 1000)} s for the host to settle${quiet ? '' : ' (it did not: figures below are of a busy host)'}`);
  const { gatherDocker } = await import(`${ROOT}dist/sources/docker/containers.js`);
  await gatherDocker([ENGINE], { timeoutMs: 10_000 }); // a first one, to warm up
  const warm = [];
  let found = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const [r] = await gatherDocker([ENGINE], { timeoutMs: 10_000 });
    warm.push(performance.now() - t);
    if (!r.ok) throw new Error(r.error);
    found = r.containers.filter((c) => c.name.startsWith(PREFIX)).length;
  }
  // What a CLI run pays: a fresh node loads fleetdoc's docker source (mostly
  // model code a workers run loads anyway), then reads.
  const script = `let t=performance.now();const m=await import(${JSON.stringify(`${ROOT}dist/sources/docker/containers.js`)});`
    + `const a=performance.now()-t;t=performance.now();const [r]=await m.gatherDocker([${JSON.stringify(ENGINE)}],{timeoutMs:10000});`
    + 'console.log(a,performance.now()-t,r.containers.length)';
  const cold = [];
  for (let i = 0; i < ROUNDS; i++) cold.push((await measure('node', ['--input-type=module', '-e', script])).out.split(' ').map(Number));
  const total = (await docker(['ps', '-aq'])).stdout.trim().split('\n').length;
  console.log(`docker: gatherDocker on one engine with ${total} containers, ${found}/${WORKERS} bench workers found`);
  console.log(`  in-process, after a first gather               median ${fmt(median(warm))} ms`);
  console.log(`  fresh process: first gather                     median ${fmt(median(cold.map((c) => c[1])))} ms  (target: under 500 ms)`);
  console.log(`  fresh process: loading the source module first  median ${fmt(median(cold.map((c) => c[0])))} ms`);
  // The whole CLI, as a user on a Docker host runs it, against the same run without Docker.
  const cli = { with: [], without: [] };
  const base = ['workers', '--json', '-b', redis.url, '--server-version', '1.0.0'];
  for (let i = 0; i < ROUNDS; i++) {
    cli.with.push((await measure(FLEETDOC, [...base, '--docker', ENGINE])).ms);
    cli.without.push((await measure(FLEETDOC, [...base, '--no-docker'])).ms);
  }
  console.log(`  fleetdoc workers --json --docker (whole CLI)    median ${fmt(median(cli.with))} ms; with --no-docker ${fmt(median(cli.without))} ms`);
} finally {
  // By name, so containers of a batch that failed halfway go too.
  const left = (await docker(['ps', '-aq', '--filter', `name=^/${PREFIX}-`])).stdout.trim().split('\n').filter(Boolean);
  for (let i = 0; i < left.length; i += 50) await docker(['rm', '-f', ...left.slice(i, i + 50)]).catch(() => undefined);
  redis.stop();
}
