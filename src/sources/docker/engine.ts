// One Docker engine endpoint (unix socket, tcp with optional TLS, ssh) and a client for it.
// fs.promises, not node:fs/promises: it loads on first use, not on every start (~2 ms).
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { engineApi, type EngineApi } from './api.js';
import { EngineError } from './errors.js';
import { SSH_CONCURRENCY, sshAgent } from './ssh.js';
import { trustExtraCAs } from '../extra-ca.js';
import { allInOrder } from '../../util/in-order.js';

export type Endpoint =
  | { kind: 'unix'; text: string; socketPath: string }
  | { kind: 'tcp'; text: string; host: string; port: number }
  | { kind: 'ssh'; text: string; host: string; port: number; user: string | null };

export interface EngineClient {
  api: EngineApi;
  /** How many requests to have in flight. */
  concurrency: number;
  close(): void;
}

const USAGE = 'not a Docker endpoint (expected unix:///path, tcp://host:port or ssh://user@host)';

/** Parses `unix:///path`, `tcp://host:port` or `ssh://[user@]host[:port]`; a bare absolute path is a socket. */
export function parseEndpoint(text: string): Endpoint | { error: string } {
  const t = typeof text === 'string' ? text.trim() : '';
  if (t.startsWith('/')) return { kind: 'unix', text: t, socketPath: t };
  if (t.startsWith('unix://')) {
    const path = t.slice('unix://'.length);
    return path.startsWith('/') ? { kind: 'unix', text: t, socketPath: path } : { error: 'unix:// needs an absolute socket path' };
  }
  let url: URL;
  try {
    url = new URL(t);
  } catch {
    return { error: USAGE };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host || (url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) return { error: USAGE };
  if (url.protocol === 'tcp:') return { kind: 'tcp', text: t, host, port: Number(url.port || 2375) };
  if (url.protocol === 'ssh:') {
    const user = url.username ? decodeURIComponent(url.username) : null;
    return { kind: 'ssh', text: t, host, port: Number(url.port || 22), user };
  }
  return { error: USAGE };
}

/**
 * A client for `ep`. Only what is given here is used: the docker CLI's DOCKER_HOST, say, never
 * points a unix:// endpoint at some tcp host behind our back.
 */
export async function openEngine(ep: Endpoint, opts: { timeoutMs: number; env: NodeJS.ProcessEnv }): Promise<EngineClient> {
  if (ep.kind === 'ssh') {
    const ssh = await sshAgent(ep, opts);
    const api = engineApi({ agent: ssh.agent, host: ep.host, port: ep.port, timeoutMs: opts.timeoutMs });
    return { api, concurrency: SSH_CONCURRENCY, close: ssh.close };
  }
  const tls = ep.kind === 'tcp' && Boolean(opts.env.DOCKER_TLS_VERIFY);
  if (tls) await trustExtraCAs();
  const files = tls ? await tlsFiles(opts.env) : {};
  const { Agent } = tls ? await import('node:https') : await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ...files });
  const where = ep.kind === 'unix' ? { socketPath: ep.socketPath } : { host: ep.host, port: ep.port };
  return { api: engineApi({ agent, ...where, tls, timeoutMs: opts.timeoutMs }), concurrency: 16, close: () => agent.destroy() };
}

// What the docker CLI reads for DOCKER_TLS_VERIFY: ca.pem, cert.pem and key.pem.
async function tlsFiles(env: NodeJS.ProcessEnv): Promise<{ ca: Buffer; cert: Buffer; key: Buffer }> {
  const dir = env.DOCKER_CERT_PATH || join(env.HOME || homedir(), '.docker');
  const read = (name: string) => fs.readFile(join(dir, name)).catch((err: NodeJS.ErrnoException) => {
    throw new EngineError(`DOCKER_TLS_VERIFY is set but ${join(dir, name)} cannot be read (${err.code ?? err.message})`);
  });
  const [ca, cert, key] = await allInOrder(['ca.pem', 'cert.pem', 'key.pem'].map(read));
  return { ca, cert, key };
}
