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

  it.each(['http://h', 'nonsense', 'redis://h/x', 'redis+socket://'])('rejects %s with a usage error', (url) => {
    expect(() => parseBrokerUrl(url)).toThrow(expect.objectContaining({ exitCode: 64 }));
  });

  it.each([
    ['amqp://guest:guest@h//', { transport: 'amqp', host: 'h', port: 5672, vhost: '/', username: 'guest', password: 'guest' }],
    ['amqp://h', { transport: 'amqp', vhost: '/', username: 'guest', password: 'guest' }],
    ['pyamqp://u:p@h:5673/prod', { transport: 'amqp', port: 5673, vhost: 'prod' }],
    ['amqps://u:p@h/%2F', { transport: 'amqp', tls: true, port: 5671, vhost: '/' }],
  ])('reads the AMQP URL %s', (url, want) => {
    expect(parseBrokerUrl(url)).toMatchObject(want);
  });

  it('reads a Sentinel list, its db and master name', () => {
    const t = parseBrokerUrl('sentinel://:pw@h1:26379;sentinel://h2:26380/2?master_name=mymaster');
    expect(t).toMatchObject({ transport: 'sentinel', db: 2, masterName: 'mymaster', password: 'pw', sentinels: [{ host: 'h1', port: 26379 }, { host: 'h2', port: 26380 }] });
    expect(t.display).not.toMatch(/pw/);
    expect(parseBrokerUrl('sentinel://h1', { master_name: 'm' }).masterName).toBe('m');
  });

  it('reads a failover list, every URL in order', () => {
    const t = parseBrokerUrl('redis://:x@a:6379/0;redis://b:6380/0');
    expect(t.alternates.map((a) => `${a.host}:${a.port}`)).toEqual(['a:6379', 'b:6380']);
    expect(t.display).toBe('redis://:****@a:6379/0;redis://b:6380/0');
  });

  it.each([
    ['rediss://h/0?ssl_cert_reqs=CERT_NONE', 'none'],
    ['rediss://h/0?ssl_cert_reqs=optional', 'optional'],
    ['rediss://h/0', 'required'],
  ])('reads kombu TLS options from %s', (url, reqs) => {
    expect(parseBrokerUrl(url).tlsOptions?.certReqs).toBe(reqs);
  });

  it('keeps the TLS file options as given', () => {
    expect(parseBrokerUrl('rediss://h/0?ssl_ca_certs=/ca.pem&ssl_certfile=/c.pem&ssl_keyfile=/k.pem').tlsOptions)
      .toEqual({ certReqs: 'required', caCerts: '/ca.pem', certFile: '/c.pem', keyFile: '/k.pem' });
  });

  it.each(['rediss://h/0?ssl_cert_reqs=maybe', 'redis://a;amqp://b'])('rejects %s', (url) => {
    expect(() => parseBrokerUrl(url)).toThrow(expect.objectContaining({ exitCode: 64 }));
  });
});
