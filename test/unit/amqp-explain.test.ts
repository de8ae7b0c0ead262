// AMQP failures become one line that says what to check (amqplib's messages as it words them).
import { describe, expect, it } from 'vitest';
import { BrokerError, InterruptedError } from '../../src/errors.js';
import { bounded, explainAmqp } from '../../src/sources/broker/amqp/explain.js';
import { parseBrokerUrl } from '../../src/sources/broker/url.js';

const t = parseBrokerUrl('amqp://bob:secret@mq:5672/prod');
const line = (msg: string) => explainAmqp(new Error(msg), t, 1500).message;

describe('explainAmqp', () => {
  it('names the cause and never shows the password', () => {
    expect(line('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"'))
      .toBe('broker amqp://bob:****@mq:5672/prod: authentication failed (check the user and password in the URL or CELERY_BROKER_URL)');
    expect(line('Expected ConnectionOpenOk; got <ConnectionClose channel:0>')).toMatch(/virtual host "prod" not found or not allowed/);
    expect(line('connect ECONNREFUSED 127.0.0.1:5672')).toMatch(/connection refused \(is rabbitmq-server running there\?\)$/);
    expect(line('getaddrinfo ENOTFOUND mq')).toMatch(/host name not found$/);
    expect(line('write EPROTO 00000000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number')).toMatch(/TLS handshake failed/);
    expect(line('ETIMEDOUT')).toMatch(/no answer within 1\.5 s/);
    expect(line('Socket closed abruptly during opening handshake')).toMatch(/connection closed during the handshake/);
    expect(line('something new\nwith a second line')).toBe('broker amqp://bob:****@mq:5672/prod: something new');
    for (const m of ['secret', '\n']) expect(line('x')).not.toContain(m);
  });

  // CI once saw port 40371 refused and reported as a bad password: "403" matched inside the port.
  it('reads the cause from the error, never from a host name or a port in its text', () => {
    expect(line('connect ECONNREFUSED 127.0.0.1:40371')).toMatch(/connection refused/);
    expect(line('connect ECONNREFUSED 127.0.0.1:14030')).toMatch(/connection refused/);
    expect(line('getaddrinfo ENOTFOUND auth.mq.internal')).toMatch(/host name not found$/);
    expect(line('getaddrinfo EAI_AGAIN vhost-auth-403')).toMatch(/host name not found$/);
    const coded = Object.assign(new Error('connect ECONNREFUSED 10.4.0.3:4030'), { code: 'ECONNREFUSED' });
    expect(explainAmqp(coded, t, 1500).message).toMatch(/connection refused/);
    expect(line('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED"')).toMatch(/authentication failed/);
  });
});

describe('bounded', () => {
  it('gives up on a call that never answers, in one line', async () => {
    const err = await bounded(t, 50, new Promise(() => undefined)).catch((e) => e);
    expect(err).toBeInstanceOf(BrokerError);
    expect(err.message).toBe('broker amqp://bob:****@mq:5672/prod: no answer within 0.1 s');
  });

  it('turns a library error into a lost connection, and lets fleetdoc errors through', async () => {
    const lost = await bounded(t, 1000, Promise.reject(new Error('Channel ended, no reply will be forthcoming\nstack'))).catch((e) => e);
    expect(lost.message).toBe('broker amqp://bob:****@mq:5672/prod: connection lost (Channel ended, no reply will be forthcoming)');
    await expect(bounded(t, 1000, Promise.reject(new InterruptedError()))).rejects.toBeInstanceOf(InterruptedError);
    expect(await bounded(t, 1000, Promise.resolve(7))).toBe(7);
  });
});
