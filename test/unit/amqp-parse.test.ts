// Pure readers behind the RabbitMQ client: management API JSON, message bodies, API location.
import { describe, expect, it } from 'vitest';
import { decodeAmqp } from '../../src/sources/broker/amqp/message.js';
import { apiLocation } from '../../src/sources/broker/amqp/mgmt.js';
import { alarmsFrom, clientsFrom, isInternalAmqpQueue, parseQueues, rosterFrom, versionFrom } from '../../src/sources/broker/amqp/parse.js';
import { parseBrokerUrl } from '../../src/sources/broker/url.js';

describe('management API queues', () => {
  it('keeps named entries, counts the odd ones, and never trusts the numbers', () => {
    const res = parseQueues([
      { name: 'celery', consumers: 2, messages_unacknowledged: 5 },
      { name: 'fresh' },
      { name: 'weird', consumers: -1, messages_unacknowledged: '3' },
      { consumers: 1 }, null, 'celery',
    ]);
    expect(res.queues).toEqual([
      { name: 'celery', consumers: 2, unacked: 5 },
      { name: 'fresh', consumers: null, unacked: null },
      { name: 'weird', consumers: null, unacked: null },
    ]);
    expect(res.warnings).toEqual(['management API: skipped 3 queue entries without a name']);
    expect(parseQueues({ error: 'x' })).toEqual({ queues: [], warnings: ['management API: the queue list is not a JSON array; ignored'] });
  });

  it('takes the roster from pidbox queues, not reply queues, ghosts included', () => {
    const roster = rosterFrom(parseQueues([
      { name: 'w2@h.celery.pidbox', consumers: 0 },
      { name: 'w1@h.celery.pidbox', consumers: 1 },
      { name: '0f5c1c54-4b84-3c71-a7b3-9fe0d1c1ec33.reply.celery.pidbox', consumers: 1 },
      { name: '.celery.pidbox', consumers: 1 },
      { name: 'celery', consumers: 3 },
      { name: 'w3@h.celery.pidbox' },
    ]).queues);
    expect([...roster]).toEqual([['w1@h', 1], ['w2@h', 0], ['w3@h', null]]);
  });

  it('leaves out kombu and Celery internal queues from the queue names', () => {
    expect(['celery', 'w@h.celery.pidbox', 'x.reply.celery.pidbox', 'celeryev.1234', 'celeryev', '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', 'gpu-9b1deb4d']
      .filter((n) => !isInternalAmqpQueue(n))).toEqual(['celery', 'celeryev', 'gpu-9b1deb4d']);
  });
});

describe('overview, nodes and connections', () => {
  it('reads the version, with product_version as a fallback', () => {
    expect(versionFrom({ rabbitmq_version: '3.10.8' })).toBe('3.10.8');
    expect(versionFrom({ product_version: '3.13.0' })).toBe('3.13.0');
    expect(versionFrom([])).toBeNull();
    expect(versionFrom({ rabbitmq_version: 3 })).toBeNull();
  });

  it('turns raised alarms into sentences', () => {
    expect(alarmsFrom([
      { name: 'rabbit@a', mem_alarm: true, disk_free_alarm: false },
      { name: 'rabbit@b', mem_alarm: false, disk_free_alarm: true, running: true },
      { mem_alarm: 'yes' }, 7,
    ])).toEqual([
      'node rabbit@a: memory alarm raised (memory use above the high watermark); publishers are blocked',
      'node rabbit@b: disk alarm raised (free disk below the limit); publishers are blocked',
    ]);
    expect(alarmsFrom({})).toEqual([]);
  });

  it('lists connections with their consumer counts', () => {
    const conn = (port: number, extra = {}) => ({ name: `127.0.0.1:${port} -> 127.0.0.1:5672`, peer_host: '127.0.0.1', peer_port: port, host: '127.0.0.1', port: 5672, vhost: '/', ...extra });
    const clients = clientsFrom(
      [conn(40001), conn(40002, { client_properties: { connection_name: 'fleetdoc' } }), { peer_host: '::1', peer_port: 40003, vhost: 'v' }, { peer_port: 1 }],
      [{ channel_details: { connection_name: '127.0.0.1:40001 -> 127.0.0.1:5672' } }, { channel_details: { connection_name: '127.0.0.1:40001 -> 127.0.0.1:5672' } }, {}],
    );
    expect(clients).toEqual([
      { addr: '127.0.0.1:40001', laddr: '127.0.0.1:5672', db: null, vhost: '/', subscriptions: 2, idle_s: null, name: null },
      { addr: '127.0.0.1:40002', laddr: '127.0.0.1:5672', db: null, vhost: '/', subscriptions: 0, idle_s: null, name: 'fleetdoc' },
      { addr: '[::1]:40003', laddr: null, db: null, vhost: 'v', subscriptions: 0, idle_s: null, name: null },
    ]);
  });
});

describe('AMQP message bodies', () => {
  it('decodes JSON and refuses everything else with a reason', () => {
    expect(decodeAmqp(Buffer.from('{"w@h": {"ok": "pong"}}'), { contentType: 'application/json', headers: { ticket: 't' } }))
      .toEqual({ ok: true, msg: { headers: { ticket: 't' }, properties: {}, body: { 'w@h': { ok: 'pong' } } } });
    expect(decodeAmqp(Buffer.from('[1]'), {})).toMatchObject({ ok: true, msg: { body: [1] } });
    expect(decodeAmqp(Buffer.from('x'), { contentType: 'application/x-python-serialize' })).toEqual({ ok: false, why: 'content-type application/x-python-serialize is not decoded by fleetdoc' });
    expect(decodeAmqp(Buffer.from('{'), { contentType: 'application/json' })).toEqual({ ok: false, why: 'body is not valid JSON' });
    expect(decodeAmqp(Buffer.from('{}'), { contentEncoding: 'gzip' })).toMatchObject({ ok: false });
  });
});

describe('where the management API is', () => {
  it('defaults to port 15672 on the broker host with the broker credentials', () => {
    const { base, explicit } = apiLocation(parseBrokerUrl('amqp://bob:s%40cret@mq.example:5673/prod'));
    expect(explicit).toBe(false);
    expect(base.href).toBe('http://bob:s%40cret@mq.example:15672/');
  });

  it('takes rabbitmq_api as given, with its own credentials or the broker ones', () => {
    expect(apiLocation(parseBrokerUrl('amqp://bob:pw@mq//', { rabbitmq_api: 'https://admin:x@api.example:443/rmq' })).base.href)
      .toBe('https://admin:x@api.example/rmq/');
    const t = apiLocation(parseBrokerUrl('amqp://mq//', { rabbitmq_api: 'http://127.0.0.1:1234' }));
    expect(t).toMatchObject({ explicit: true });
    expect(t.base.href).toBe('http://guest:guest@127.0.0.1:1234/');
  });
});
