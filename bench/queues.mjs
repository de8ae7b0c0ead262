// Benchmark: `fleetdoc queues --json` on a broker with 10,000 queues, 1,000,000 waiting messages
// and 50,000 unacked entries (synthetic keys in kombu's layout). Prints figures; asserts nothing.
import { FLEETDOC, fmt, measure, median, startRedis } from './lib.mjs';

const QUEUES = Number(process.env.BENCH_QUEUES ?? 10_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const UNACKED = Number(process.env.BENCH_UNACKED ?? 50_000);
const SEP = '\x06\x16';

const redis = await startRedis();
try {
  const t0 = Date.now();
  const c = redis.client;
  const per = Math.floor(MESSAGES / QUEUES);
  const filler = Array(per).fill('m');
  for (let q = 0; q < QUEUES; q += 500) {
    const pipe = c.pipeline();
    for (let i = q; i < Math.min(q + 500, QUEUES); i++) {
      pipe.sadd(`_kombu.binding.q${i}`, `q${i}${SEP}${SEP}q${i}`);
      // Split each queue's messages over the plain list and one priority sub-list.
      pipe.rpush(`q${i}`, ...filler.slice(0, per >> 1));
      pipe.rpush(`q${i}${SEP}9`, ...filler.slice(per >> 1));
    }
    await pipe.exec();
  }
  const now = Date.now() / 1000;
  for (let u = 0; u < UNACKED; u += 1000) {
    const pipe = c.pipeline();
    for (let i = u; i < Math.min(u + 1000, UNACKED); i++) {
      const tag = `tag-${i}`;
      const env = { body: 'e30=', headers: { id: `task-${i}`, task: 'app.work' }, properties: { delivery_tag: tag, body_encoding: 'base64' } };
      pipe.hset('unacked', tag, JSON.stringify([env, '', `q${i % QUEUES}`]));
      pipe.zadd('unacked_index', now - (i % 3600), tag);
    }
    await pipe.exec();
  }
  console.log(`queues: broker filled in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${QUEUES} queues, ${per * QUEUES} messages, ${UNACKED} unacked`);
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await measure(FLEETDOC, ['queues', '--json', '--no-docker', '-b', redis.url, '--server-version', '1.0.0']));
  const doc = JSON.parse(runs.at(-1).out);
  const seen = doc.queues.reduce((a, q) => a + q.messages, 0);
  const unacked = doc.queues.reduce((a, q) => a + q.unacked, 0);
  console.log(`  fleetdoc queues --json  median ${fmt(median(runs.map((r) => r.ms)))} ms  peak ${fmt(Math.max(...runs.map((r) => r.mb)))} MB  (${doc.queues.length} queues, ${seen} messages, ${unacked} unacked read)`);
} finally {
  redis.stop();
}
