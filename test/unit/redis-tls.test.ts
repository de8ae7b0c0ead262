// Pure parts of the Redis connection side: TLS options, error lines, channel names.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerError, UsageError } from '../../src/errors.js';
import { connectBroker, type BrokerConnection } from '../../src/sources/broker/redis/connect.js';
import { channelPatterns } from '../../src/sources/broker/redis/events.js';
import { cause, explain } from '../../src/sources/broker/redis/explain.js';
import { pidboxChannels } from '../../src/sources/broker/redis/pidbox.js';
import { tlsOptions } from '../../src/sources/broker/redis/tls.js';
import { parseBrokerUrl } from '../../src/sources/broker/url.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleetdoc-unit-tls-'));
  await writeFile(join(dir, 'ca.pem'), 'CA PEM');
  await writeFile(join(dir, 'both.pem'), 'CERT AND KEY PEM');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('tlsOptions', () => {
  it('never hands an IP address to SNI, but names a host', async () => {
    expect(await tlsOptions(parseBrokerUrl('rediss://127.0.0.1:6380/0'))).not.toHaveProperty('servername');
    expect(await tlsOptions(parseBrokerUrl('rediss://[::1]:6380/0'))).not.toHaveProperty('servername');
    expect(await tlsOptions(parseBrokerUrl('rediss://redis.example:6380/0'))).toMatchObject({ servername: 'redis.example' });
  });

  it.each([
    ['CERT_NONE', false], ['none', false], ['CERT_OPTIONAL', true], ['optional', true], ['CERT_REQUIRED', true], ['required', true],
  ])('ssl_cert_reqs=%s verifies: %s', async (reqs, verify) => {
    expect((await tlsOptions(parseBrokerUrl(`rediss://h/0?ssl_cert_reqs=${reqs}`))).rejectUnauthorized).toBe(verify);
  });

  it('adds ssl_ca_certs to the system store, as Python does, rather than replacing it', async () => {
    const o = await tlsOptions(parseBrokerUrl(`rediss://h/0?ssl_ca_certs=${join(dir, 'ca.pem')}`));
    expect(o.ca).toEqual([...rootCertificates, 'CA PEM']);
    expect((await tlsOptions(parseBrokerUrl('rediss://h/0'))).ca).toBeUndefined();
  });

  it('reads the key from the certificate file when ssl_keyfile is absent', async () => {
    const o = await tlsOptions(parseBrokerUrl(`rediss://h/0?ssl_certfile=${join(dir, 'both.pem')}`));
    expect(o).toMatchObject({ cert: 'CERT AND KEY PEM', key: 'CERT AND KEY PEM' });
  });

  it('matches the host name unless ssl_check_hostname is false', async () => {
    expect((await tlsOptions(parseBrokerUrl('rediss://h/0'))).checkServerIdentity).toBeUndefined();
    const off = await tlsOptions(parseBrokerUrl('rediss://h/0?ssl_check_hostname=false'));
    expect(off.checkServerIdentity?.('h', {} as never)).toBeUndefined();
  });

  it('says which option names a file it cannot read', async () => {
    await expect(tlsOptions(parseBrokerUrl(`rediss://h/0?ssl_keyfile=${join(dir, 'nope')}&ssl_certfile=${join(dir, 'both.pem')}`)))
      .rejects.toThrow(new UsageError(`ssl_keyfile ${JSON.stringify(join(dir, 'nope'))} cannot be read (ENOENT)`));
  });
});

describe('explain', () => {
  const t = parseBrokerUrl('rediss://:hunter2@127.0.0.1:6380/0');
  it.each([
    [coded('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), /TLS certificate problem: self-signed certificate \(set ssl_ca_certs=/],
    [coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), /ssl_cert_reqs=CERT_NONE to skip the check/],
    [coded('CERT_HAS_EXPIRED', 'certificate has expired'), /TLS certificate problem: certificate has expired/],
    [coded('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), /ssl_check_hostname=false/],
    [coded('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'x:tlsv13 alert certificate required:y\nmore'), /client certificate: set ssl_certfile and ssl_keyfile/],
    [new Error('write ECONNRESET'), /closed the TLS connection \(does it want a client certificate/],
  ])('%s', (err, line) => {
    const e = explain(err, t, 1000);
    expect(e).toBeInstanceOf(BrokerError);
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/^broker rediss:\/\/:\*\*\*\*@127\.0\.0\.1:6380\/0: /);
    expect(e.message).toMatch(line);
    expect(e.message).not.toContain('\n');
  });

  it('prefers a TLS alert over the reset it caused, whichever came first', () => {
    const alert = coded('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'alert certificate required');
    const reset = coded('ECONNRESET', 'write ECONNRESET');
    expect(cause([reset, alert], t)).toBe(alert);
    expect(cause([alert, reset], t)).toBe(alert);
    expect(cause([reset], parseBrokerUrl('redis://h/0'))).toBe(reset);
  });

  // The code decides, not words in a host name or a socket path.
  it('reads a socket error by its code, whatever the host or path is called', () => {
    const plain = parseBrokerUrl('redis://redis-noauth:6379/0');
    expect(explain(coded('ENOTFOUND', 'getaddrinfo ENOTFOUND redis-noauth'), plain, 1000).message).toMatch(/: host name not found$/);
    expect(explain(coded('ENOENT', 'connect ENOENT /run/redis/noauth.sock'), plain, 1000).message).toMatch(/: no such socket$/);
    expect(explain(coded('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.9:6379 (wrongpass-proxy)'), plain, 1000).message).toMatch(/connection refused/);
    expect(explain(new Error('WRONGPASS invalid username-password pair or user is disabled.'), plain, 1000).message).toMatch(/authentication failed/);
  });

  it('tells an unknown master from sentinels that are down', () => {
    const s = parseBrokerUrl('sentinel://a:26379;sentinel://b:26379/0?master_name=mymaster');
    expect(explain(new Error('All sentinels are unreachable and retry is disabled.'), s, 1000).message)
      .toMatch(/no sentinel knows a master named "mymaster"/);
    expect(explain(new Error('All sentinels are unreachable and retry is disabled. Last error: connect ECONNREFUSED 1.2.3.4:26379'), s, 1000).message)
      .toBe('broker sentinel://a:26379;sentinel://b:26379/0?master_name=mymaster: no sentinel answered (connection refused)');
  });
});

describe('channels', () => {
  const conn = (url: string) => {
    const target = parseBrokerUrl(url);
    return { target, key: (n: string) => target.keyPrefix + n } as unknown as BrokerConnection;
  };
  it('broadcasts on the db channel and on kombu 5.2 Sentinel\'s literal {db} one', () => {
    expect(pidboxChannels(conn('redis://h/3'))).toEqual(['/3.celery.pidbox', '/{db}.celery.pidbox']);
    expect(pidboxChannels(conn('redis://h/0?global_keyprefix=pfx:'))).toEqual(['pfx:/0.celery.pidbox', 'pfx:/{db}.celery.pidbox']);
  });
  it('listens to both event channel forms, with glob characters in the prefix escaped', () => {
    expect(channelPatterns(conn('redis://h/2'))).toEqual(['/2.celeryev/*', '/{db}.celeryev/*']);
    expect(channelPatterns(conn('redis://h/0?global_keyprefix=a*[b]'))).toEqual(['a\\*\\[b\\]/0.celeryev/*', 'a\\*\\[b\\]/{db}.celeryev/*']);
  });
});

it('asks for the master name of a sentinel:// URL without one, before any connection', async () => {
  await expect(connectBroker(parseBrokerUrl('sentinel://127.0.0.1:1/0'), 100))
    .rejects.toThrow(/--broker-transport-option master_name=NAME/);
});
