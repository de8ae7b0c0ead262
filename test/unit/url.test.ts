import { describe, expect, it } from 'vitest';
import { parseBrokerUrl } from '../../src/sources/broker/url.js';

describe('parseBrokerUrl', () => {
  it.each([
    ['redis://localhost:6379/0', { kind: 'tcp', host: 'localhost', port: 6379, db: 0, tls: false, password: null }],
    ['redis://:p%40ss@10.0.0.5/3', { host: '10.0.0.5', port: 6379, db: 3, password: 'p@ss' }],
    ['redis://user:pw@h:7000', { username: 'user', password: 'pw', port: 7000, db: 0 }],
    ['rediss://h:6380/1', { tls: true, port: 6380, db: 1 }],
    ['redis+socket:///run/redis.sock?virtual_host=2', { kind: 'unix', path: '/run/redis.sock', db: 2 }],
    ['unix:///tmp/r.sock?db=4', { kind: 'unix', path: '/tmp/r.sock', db: 4 }],
    ['redis://h/0?global_keyprefix=pfx:', { keyPrefix: 'pfx:' }],
    ['redis://[::1]:6379/0', { host: '::1' }],
  ])('%s', (url, want) => {
    expect(parseBrokerUrl(url)).toMatchObject(want);
  });

  it('always masks the password when printed', () => {
    expect(parseBrokerUrl('redis://:hunter2@h:6379/0').display).toBe('redis://:****@h:6379/0');
    expect(parseBrokerUrl('redis://u:hunter2@h/0').display).not.toMatch(/hunter2/);
  });

  it.each(['amqp://guest@h//', 'http://h', 'nonsense', 'redis://h/x', 'redis+socket://'])('rejects %s with a usage error', (url) => {
    expect(() => parseBrokerUrl(url)).toThrow(expect.objectContaining({ exitCode: 64 }));
  });
});
