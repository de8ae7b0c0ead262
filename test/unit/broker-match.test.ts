// Which broker a silent worker talks to, from positive evidence only: its sockets matched against the
// broker's client list, and the broker URL its settings name.
import { describe, expect, it } from 'vitest';
import { matchBroker, sameBroker } from '../../src/model/verdict/broker-match.js';
import type { ClientConn } from '../../src/model/verdict/evidence.js';
import { brokerAddress } from '../../src/util/broker-address.js';
import { ctr, OURS, proc } from '../helpers/model.js';

const client = (addr: string, db: number): ClientConn => ({ addr, laddr: '127.0.0.1:6379', db, vhost: null, subscriptions: 1, idle_s: 0, name: null });
const conn = (local: string, remote: string, state = 'ESTABLISHED') => ({ local, remote, state });

describe('matchBroker', () => {
  it.each<[string, Parameters<typeof proc>[1], ClientConn[] | null, string, RegExp | null]>([
    ['a socket to us that the broker lists on db 0', { connections: [conn('127.0.0.5:4000', '127.0.0.1:6379')] }, [client('127.0.0.5:4000', 0)], 'same', /connected to this broker from 127\.0\.0\.5:4000 \(db 0\)/],
    ['a socket to us that the broker lists on db 1', { connections: [conn('127.0.0.5:4000', '127.0.0.1:6379')] }, [client('127.0.0.5:4000', 1)], 'other', /^connected to db 1 of this Redis \(127\.0\.0\.1:6379\)$/],
    ['v4-mapped v6 sockets are the same addresses', { connections: [conn('[::ffff:127.0.0.5]:4000', '[::ffff:127.0.0.1]:6379')] }, [client('127.0.0.5:4000', 1)], 'other', /db 1/],
    ['connected to the broker its env names: another db', { broker_url: 'redis://10.0.0.9:6379/2', broker_from: 'env', connections: [conn('10.0.0.5:4000', '10.0.0.9:6379')] }, null, 'other', /connected to 10\.0\.0\.9:6379, the broker its env names \(db 2\)/],
    ['connected to the broker its env names: maybe this one by another address', { broker_url: 'redis://10.0.0.9:6379/0', broker_from: 'env', connections: [conn('10.0.0.5:4000', '10.0.0.9:6379')] }, null, 'unknown', /cannot be told/],
    ['its env names a broker it cannot reach', { broker_url: 'redis://192.0.2.1:6379/0', broker_from: 'env', connections: [conn('10.0.0.5:4000', '192.0.2.1:6379', 'SYN_SENT')] }, null, 'none', /still trying to connect to 192\.0\.2\.1:6379/],
    ['named our broker but has no connection to it', { broker_url: 'redis://127.0.0.1:6379/0', broker_from: 'argv', connections: [] }, null, 'none', /no connection to it is open/],
    ['no socket at all and nothing named', { connections: [] }, null, 'none', /no TCP connection open/],
    ['connected elsewhere, nothing named', { connections: [conn('10.0.0.5:4000', '10.0.0.7:5672')] }, null, 'other', /connected to 10\.0\.0\.7:5672, not to this broker/],
    ['a RabbitMQ URL and a socket to it', { broker_url: 'amqp://guest:****@rabbit.internal//', broker_from: 'env', connections: [conn('10.0.0.5:4000', '10.0.0.8:5672')] }, null, 'other', /the broker its env names/],
    ['a DNS name that may be this broker', { broker_url: 'redis://redis:6379/0', broker_from: 'env', connections: [conn('172.17.0.2:4000', '172.17.0.1:6379')] }, null, 'unknown', /cannot be told/],
    ['a socket to our address that the broker does not list', { connections: [conn('127.0.0.1:4000', '127.0.0.1:6379')] }, [client('127.0.0.5:4001', 0)], 'unknown', /does not list that client \(another network namespace\?\)/],
    ['a socket to our address and no client list', { connections: [conn('127.0.0.1:4000', '127.0.0.1:6379')] }, null, 'unknown', /cannot list its clients/],
    ['our port at another address, nothing named', { connections: [conn('172.17.0.2:4000', '172.17.0.1:6379')] }, null, 'unknown', /this broker at another address, or another server/],
    // A broker on one db and a result backend on another: the connection that listens (its mailbox) tells which is its broker.
    ['two dbs here, the listening one is db 1', { connections: [conn('127.0.0.5:4000', '127.0.0.1:6379'), conn('127.0.0.5:4001', '127.0.0.1:6379')] },
      [{ ...client('127.0.0.5:4000', 0), subscriptions: 0 }, client('127.0.0.5:4001', 1)], 'other', /^connected to db 1 of this Redis/],
    ['two dbs here, the listening one is db 0', { connections: [conn('127.0.0.5:4000', '127.0.0.1:6379'), conn('127.0.0.5:4001', '127.0.0.1:6379')] },
      [{ ...client('127.0.0.5:4000', 1), subscriptions: 0 }, client('127.0.0.5:4001', 0)], 'same', /\(db 0\)/],
    ['two dbs here, none listening, its URL names db 1', { broker_url: 'redis://127.0.0.1:6379/1', broker_from: 'env', connections: [conn('127.0.0.5:4000', '127.0.0.1:6379'), conn('127.0.0.5:4001', '127.0.0.1:6379')] },
      [{ ...client('127.0.0.5:4000', 0), subscriptions: 0 }, { ...client('127.0.0.5:4001', 1), subscriptions: 0 }], 'other', /db 1/],
    ['two dbs here, nothing tells which is its broker', { connections: [conn('127.0.0.5:4000', '127.0.0.1:6379'), conn('127.0.0.5:4001', '127.0.0.1:6379')] },
      [{ ...client('127.0.0.5:4000', 0), subscriptions: 0 }, { ...client('127.0.0.5:4001', 1), subscriptions: 0 }], 'unknown', /dbs 0 and 1 of this Redis/],
    // A failover list: connected to its second broker, which may or may not be this one's twin.
    ['connected to the second URL of its failover list', { broker_url: 'redis://10.0.0.1:6379/0;redis://10.0.0.2:6379/0', broker_from: 'env', connections: [conn('10.0.0.5:4000', '10.0.0.2:6379')] },
      null, 'unknown', /connected to 10\.0\.0\.2:6379, the broker its env names/],
    // Through Sentinel it talks to a master no URL names: a connection elsewhere is no "none".
    ['a Sentinel URL, connected to some master', { broker_url: 'sentinel://10.0.0.7:26379/0', broker_from: 'env', connections: [conn('10.0.0.5:4000', '10.0.0.3:6379')] },
      null, 'unknown', /through Sentinel/],
    ['a Sentinel URL, no connection at all', { broker_url: 'sentinel://10.0.0.7:26379/0', broker_from: 'env', connections: [] }, null, 'none', /no connection to it is open/],
    ['sockets unreadable, env names another db here', { broker_url: 'redis://127.0.0.1:6379/1', broker_from: 'env', connections: null }, null, 'other', /another broker: redis:\/\/127\.0\.0\.1:6379\/1/],
    ['sockets unreadable, env names another host', { broker_url: 'redis://broker:6379/0', broker_from: 'env', connections: null }, null, 'unknown', /cannot be told/],
    ['nothing readable', { connections: null }, null, 'unknown', null],
  ])('%s', (_what, over, clients, match, evidence) => {
    const r = matchBroker(proc('w@h', over), null, OURS, clients);
    expect(r.match).toBe(match);
    if (evidence) expect(r.evidence).toMatch(evidence);
    else expect(r.evidence).toBeNull();
  });

  it('reads a container by the broker its env names', () => {
    expect(matchBroker(null, ctr('w@c', { broker_url: 'amqp://guest:****@rabbit//', broker_from: 'env' }), OURS, null).match).toBe('other');
    expect(matchBroker(null, ctr('w@c', { broker_url: 'redis://127.0.0.1:6379/0', broker_from: 'env' }), OURS, null).match).toBe('same');
  });
});

describe('sameBroker', () => {
  it.each<[string, boolean | null]>([
    ['redis://127.0.0.1:6379/0', true],
    ['redis://localhost:6379', true],
    ['redis://127.0.0.1:6380/0', false],
    ['redis://elsewhere:6379/3', false],
    ['redis://elsewhere:6379/0', null],
    ['amqp://guest@127.0.0.1//', false],
  ])('%s against redis://127.0.0.1:6379/0: %s', (url, want) => {
    expect(sameBroker(brokerAddress(url)!, OURS)).toBe(want);
  });
});
