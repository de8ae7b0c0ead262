// Simulated Celery workers: one process answers pidbox broadcasts for many names over raw Redis.
// Used by the benchmark (1,000 responders) and by tests (garbage on the wire).
import { Redis } from 'ioredis';

const SEP = '\x06\x16';

export async function startResponders({ url, names, garbage = null, queues = ['celery'] }) {
  const sub = new Redis(url);
  const pub = new Redis(url);
  const db = new URL(url).pathname.replace('/', '') || '0';
  await pub.sadd('_kombu.binding.celery.pidbox', ...names.map((n) => `${SEP}${SEP}${n}.celery.pidbox`));
  await sub.subscribe(`/${db}.celery.pidbox`);
  sub.on('message', (_channel, raw) => {
    void answer(pub, raw, names, garbage, queues).catch(() => undefined);
  });
  return {
    stop: async () => {
      await pub.srem('_kombu.binding.celery.pidbox', ...names.map((n) => `${SEP}${SEP}${n}.celery.pidbox`));
      sub.disconnect();
      pub.disconnect();
    },
  };
}

async function answer(pub, raw, names, garbage, queues) {
  const env = JSON.parse(raw);
  const body = JSON.parse(Buffer.from(env.body, 'base64').toString('utf8'));
  if (!body.reply_to) return;
  const targets = Array.isArray(body.destination) && body.destination.length
    ? names.filter((n) => body.destination.includes(n))
    : names;
  const members = await pub.smembers(`_kombu.binding.${body.reply_to.exchange}`);
  const member = members.find((m) => m.split(SEP)[0] === body.reply_to.routing_key);
  if (!member) return; // no binding: a real worker drops the reply too
  const queue = member.split(SEP)[2];
  const pipe = pub.pipeline();
  if (garbage === 'json') pipe.lpush(queue, '{this is not json');
  if (garbage === 'base64') pipe.lpush(queue, reply(body, 'x', 'x', { badBase64: true }));
  targets.forEach((name, i) => pipe.lpush(queue, reply(body, name, result(body.method, i, queues))));
  await pipe.exec();
}

function result(method, i, queues) {
  if (method === 'ping') return { ok: 'pong' };
  if (method === 'stats') return { pid: 100000 + i, uptime: 60, clock: '1', pool: { 'max-concurrency': 2, processes: [200000 + 2 * i, 200001 + 2 * i] } };
  if (method === 'active_queues') return queues.map((q) => ({ name: q, routing_key: q, exchange: { name: q } }));
  return { error: `KeyError('${method}')` };
}

function reply(body, name, value, { badBase64 = false } = {}) {
  return JSON.stringify({
    body: badBase64 ? '%%%not base64%%%' : Buffer.from(JSON.stringify({ [name]: value })).toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: { ticket: body.ticket, clock: 1 },
    properties: { body_encoding: 'base64', delivery_info: { exchange: body.reply_to.exchange, routing_key: body.reply_to.routing_key }, delivery_tag: 't' },
  });
}
