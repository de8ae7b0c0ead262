// The late NODE_EXTRA_CA_CERTS: what reaches tls.createSecureContext (a recording stand-in for
// node:tls here; test/integration/extra-ca.test.ts makes real TLS connections through it).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { patch, takeDeferredCAs } from '../../src/sources/extra-ca.js';

function fakeTls() {
  const calls: unknown[] = [];
  const tls = {
    rootCertificates: ['ROOT1', 'ROOT2'],
    createSecureContext: (o: unknown) => {
      calls.push(o);
      return { n: calls.length } as unknown as Tls.SecureContext;
    },
  };
  return { tls: tls as unknown as typeof Tls, calls };
}

describe('patch', () => {
  it('adds the extra CAs to the bundled roots, in one context shared by plain calls', () => {
    const { tls, calls } = fakeTls();
    patch(tls, 'EXTRA');
    const a = tls.createSecureContext();
    const b = tls.createSecureContext({ rejectUnauthorized: true, servername: 'h' } as Tls.SecureContextOptions);
    expect(calls).toEqual([{ ca: ['ROOT1', 'ROOT2', 'EXTRA'] }]);
    expect(b).toBe(a);
  });

  it('leaves a call that names its own ca alone, as Node ignores NODE_EXTRA_CA_CERTS then', () => {
    const { tls, calls } = fakeTls();
    patch(tls, 'EXTRA');
    tls.createSecureContext({ ca: 'MINE' });
    expect(calls).toEqual([{ ca: 'MINE' }]);
  });

  it('makes a context of its own for a call with a client certificate or other context options', () => {
    const { tls, calls } = fakeTls();
    patch(tls, 'EXTRA');
    tls.createSecureContext({ cert: 'C', key: 'K' });
    tls.createSecureContext({ minVersion: 'TLSv1.3' });
    expect(calls).toEqual([
      { cert: 'C', key: 'K', ca: ['ROOT1', 'ROOT2', 'EXTRA'] },
      { minVersion: 'TLSv1.3', ca: ['ROOT1', 'ROOT2', 'EXTRA'] },
    ]);
  });
});

describe('takeDeferredCAs', () => {
  it('puts NODE_EXTRA_CA_CERTS back for child processes and drops its own variable', () => {
    const env: NodeJS.ProcessEnv = { FLEETDOC_EXTRA_CA_CERTS: '/etc/ca.pem', PATH: '/bin' };
    takeDeferredCAs(env, () => undefined);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: '/etc/ca.pem', PATH: '/bin' });
  });

  it('changes nothing without the launcher', () => {
    const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: '/etc/ca.pem' };
    takeDeferredCAs(env, () => undefined);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: '/etc/ca.pem' });
  });
});

describe('every TLS path', () => {
  // Markers of a TLS client: fetch (https), node:https, node:tls, amqplib's amqps. A new one that
  // forgets trustExtraCAs() would refuse servers that only NODE_EXTRA_CA_CERTS vouches for.
  const MARKERS = /\bfetch\(|'node:https'|import\('node:tls'\)|\? 'amqps'/;
  const src = fileURLToPath(new URL('../../src/', import.meta.url));
  const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('extra-ca.ts'));

  it('calls trustExtraCAs() first', () => {
    const tlsFiles = files.filter((f) => MARKERS.test(readFileSync(join(src, f), 'utf8')));
    expect(tlsFiles.length).toBeGreaterThanOrEqual(5);
    expect(tlsFiles.filter((f) => !readFileSync(join(src, f), 'utf8').includes('await trustExtraCAs()'))).toEqual([]);
  });
});
