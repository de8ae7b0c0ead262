// rediss:// as kombu reads it: ssl_cert_reqs, ssl_ca_certs, ssl_certfile, ssl_keyfile (and ssl_check_hostname).
// fs.promises and a late node:tls: both load on first use (rediss:// only), not on every start.
import { promises as fs } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { UsageError } from '../../../errors.js';
import { trustExtraCAs } from '../../extra-ca.js';
import { allInOrder } from '../../../util/in-order.js';
import type { BrokerTarget } from '../url.js';

/** Node TLS options for a rediss:// target. */
export async function tlsOptions(t: BrokerTarget): Promise<ConnectionOptions> {
  await trustExtraCAs();
  const o = t.tlsOptions ?? { certReqs: 'required', caCerts: null, certFile: null, keyFile: null };
  const [ca, cert, key] = await allInOrder([
    readPem(o.caCerts, 'ssl_ca_certs'),
    readPem(o.certFile, 'ssl_certfile'),
    // Like Python's load_cert_chain: without a key file the key is read from the certificate file.
    readPem(o.keyFile ?? o.certFile, 'ssl_keyfile'),
  ]);
  // Python's CERT_OPTIONAL means CERT_REQUIRED on a client; only CERT_NONE skips the check.
  const verify = o.certReqs !== 'none';
  // redis-py before 6 did not match the name by default; matching it is safer, and can be turned off the same way.
  const checkHost = verify && !isFalse(t.transportOptions.ssl_check_hostname);
  return {
    // SNI takes host names only: Node warns (DEP0123) when handed an IP address.
    ...(isIP(t.host) ? {} : { servername: t.host }),
    rejectUnauthorized: verify,
    // Python adds ssl_ca_certs to the system store; Node's `ca` would replace it.
    ...(ca ? { ca: [...(await import('node:tls')).rootCertificates, ca] } : {}),
    ...(cert ? { cert } : {}),
    ...(key && cert ? { key } : {}),
    ...(checkHost ? {} : { checkServerIdentity: () => undefined }),
  };
}

async function readPem(path: string | null, option: string): Promise<string | null> {
  if (!path) return null;
  try {
    return await fs.readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new UsageError(`${option} ${JSON.stringify(path)} cannot be read (${code})`);
  }
}

function isFalse(v: string | undefined): boolean {
  return v !== undefined && /^(false|no|off|0)$/i.test(v.trim());
}

const VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REJECTED', 'INVALID_CA',
]);

/** One line for a TLS failure, saying what to set; null when the error is not about TLS. */
export function explainTls(err: Error): string | null {
  const code = String((err as NodeJS.ErrnoException).code ?? '');
  const msg = String(err?.message ?? err).split('\n')[0];
  if (VERIFY_CODES.has(code)) {
    return `TLS certificate problem: ${msg} (set ssl_ca_certs=<CA file> in the URL to trust its issuer, or ssl_cert_reqs=CERT_NONE to skip the check)`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `TLS certificate problem: ${msg} (use a host name the certificate names, or ssl_check_hostname=false)`;
  }
  if (/CERTIFICATE_REQUIRED|alert handshake failure|alert bad certificate|alert unknown ca/i.test(`${code} ${msg}`)) {
    return `TLS certificate problem: the server refused us (${msg}); it may want a client certificate: set ssl_certfile and ssl_keyfile`;
  }
  if (/wrong version number|packet length too long|ERR_SSL_/i.test(`${code} ${msg}`)) {
    return `TLS handshake failed: ${msg} (is this port speaking TLS? use redis:// for a plain port)`;
  }
  return null;
}
