// NODE_EXTRA_CA_CERTS, read when the first TLS connection is made instead of when Node starts.
// Node 20 parses its bundled root store and that file before any JavaScript runs (~40 ms here,
// with the system bundle), which every run paid though most never open a TLS connection. So
// bin/fleetdoc's launcher hands the path over as FLEETDOC_EXTRA_CA_CERTS, and every TLS path
// calls trustExtraCAs() first. The meaning is Node's: the file's CAs are added to the bundled
// roots, and a connection that names its own `ca` gets neither, as with Node's own variable.
import { promises as fs } from 'node:fs';
import type * as Tls from 'node:tls';

export const DEFERRED_VAR = 'FLEETDOC_EXTRA_CA_CERTS';

let deferred: { path: string; warn: (message: string) => void } | null = null;
let trusting: Promise<void> | null = null;

/**
 * Takes the path the launcher deferred, and puts NODE_EXTRA_CA_CERTS back into `env` for the
 * processes fleetdoc starts (ssh). Without the launcher (`node bin/fleetdoc`) there is none.
 */
export function takeDeferredCAs(env: NodeJS.ProcessEnv, warn: (message: string) => void): void {
  const path = env[DEFERRED_VAR];
  if (path === undefined) return;
  delete env[DEFERRED_VAR];
  if (!path) return;
  env.NODE_EXTRA_CA_CERTS = path;
  deferred = { path, warn };
  trusting = null;
}

/** Before a TLS connection: makes Node trust the deferred CAs, once. Cheap when there are none. */
export function trustExtraCAs(): Promise<void> {
  if (!deferred) return Promise.resolve();
  trusting ??= install(deferred);
  return trusting;
}

// Options of tls.createSecureContext other than `ca`: a call with none of them gets one shared
// context, so the roots are parsed once per run (as Node's own store is), not per connection.
const CONTEXT_OPTIONS = [
  'cert', 'key', 'pfx', 'passphrase', 'ciphers', 'ecdhCurve', 'dhparam', 'honorCipherOrder', 'minVersion',
  'maxVersion', 'secureProtocol', 'secureOptions', 'sessionIdContext', 'ticketKeys', 'sessionTimeout', 'crl',
  'clientCertEngine', 'privateKeyEngine', 'privateKeyIdentifier', 'sigalgs', 'allowPartialTrustChain',
];

async function install({ path, warn }: { path: string; warn: (message: string) => void }): Promise<void> {
  // The module object itself: an ES import's namespace is read-only.
  const ns = await import('node:tls');
  const tls = (ns as { default?: typeof Tls }).default ?? ns;
  let pem: string;
  try {
    pem = await fs.readFile(path, 'latin1');
  } catch (err) {
    // Node itself warns and goes on without them.
    warn(`ignoring extra certs from NODE_EXTRA_CA_CERTS ${JSON.stringify(path)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return;
  }
  patch(tls, pem);
}

/** Exported for its unit test: `tls.createSecureContext` trusting `pem` as NODE_EXTRA_CA_CERTS would. */
export function patch(tls: typeof Tls, pem: string): void {
  const original = tls.createSecureContext;
  let shared: Tls.SecureContext | null = null;
  // https, fetch and every client library reach it through the module object, at call time.
  tls.createSecureContext = function createSecureContext(options?: Tls.SecureContextOptions) {
    if (options?.ca) return original(options);
    const ca = [...tls.rootCertificates, pem];
    const o = (options ?? {}) as Record<string, unknown>;
    if (CONTEXT_OPTIONS.every((k) => o[k] === undefined)) return (shared ??= original({ ca }));
    return original({ ...options, ca });
  };
}
