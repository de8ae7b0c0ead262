// One Docker engine endpoint (unix socket, tcp with optional TLS, ssh) and a
// dockerode client for it. dockerode is loaded only here, and only when an
// engine is actually queried, so commands without Docker never pay for it.
// fs.promises, not node:fs/promises: it loads on first use, not on every start (~2 ms).
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { EngineError, firstLine } from './errors.js';
import { SSH_CONCURRENCY, sshAgent } from './ssh.js';
import { trustExtraCAs } from '../extra-ca.js';

export type Endpoint =
  | { kind: 'unix'; text: string; socketPath: string }
  | { kind: 'tcp'; text: string; host: string; port: number }
  | { kind: 'ssh'; text: string; host: string; port: number; user: string | null };

export interface EngineClient {
  docker: Dockerode;
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

let dockerode: Promise<typeof Dockerode> | null = null;

async function loadDockerode(): Promise<typeof Dockerode> {
  dockerode ??= import('dockerode').then((m) => m.default);
  try {
    return await dockerode;
  } catch (err) {
    dockerode = null;
    // docker-modem requires ssh2 when it loads, so a missing ssh2 lands here too.
    throw new EngineError(`cannot load dockerode (${firstLine(err)})`);
  }
}

/**
 * A client for `ep`. Every option is given explicitly: docker-modem otherwise
 * merges in DOCKER_HOST from the environment, which would silently point a
 * unix:// endpoint at some tcp host.
 */
export async function openEngine(ep: Endpoint, opts: { timeoutMs: number; env: NodeJS.ProcessEnv }): Promise<EngineClient> {
  const Docker = await loadDockerode();
  // docker-modem takes `agent` and `pathPrefix` too; the typings do not list them.
  const options: Dockerode.DockerOptions & { agent?: unknown; pathPrefix?: string } = {
    socketPath: undefined, host: undefined, port: undefined, protocol: 'http', username: undefined,
    ca: undefined, cert: undefined, key: undefined, version: undefined, pathPrefix: '/',
    timeout: opts.timeoutMs, agent: undefined, sshOptions: {},
  };
  if (ep.kind === 'ssh') {
    const ssh = await sshAgent(ep, opts);
    Object.assign(options, { host: ep.host, port: ep.port, agent: ssh.agent });
    try {
      return { docker: build(Docker, options), concurrency: SSH_CONCURRENCY, close: ssh.close };
    } catch (err) {
      ssh.close();
      throw err;
    }
  }
  const tls = ep.kind === 'tcp' && Boolean(opts.env.DOCKER_TLS_VERIFY);
  if (tls) await trustExtraCAs();
  const { Agent } = tls ? await import('node:https') : await import('node:http');
  if (ep.kind === 'unix') options.socketPath = ep.socketPath;
  else Object.assign(options, { host: ep.host, port: ep.port, protocol: tls ? 'https' : 'http' }, tls ? await tlsFiles(opts.env) : {});
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  options.agent = agent;
  try {
    return { docker: build(Docker, options), concurrency: 16, close: () => agent.destroy() };
  } catch (err) {
    agent.destroy();
    throw err;
  }
}

// docker-modem reads DOCKER_HOST and DOCKER_CERT_PATH from process.env while
// it is constructed, and throws when they are unusable.
function build(Docker: typeof Dockerode, options: Dockerode.DockerOptions): Dockerode {
  try {
    return new Docker(options);
  } catch (err) {
    throw new EngineError(`cannot set up a client (${firstLine(err)})`);
  }
}

// What the docker CLI reads for DOCKER_TLS_VERIFY: ca.pem, cert.pem and key.pem.
async function tlsFiles(env: NodeJS.ProcessEnv): Promise<{ ca: Buffer; cert: Buffer; key: Buffer }> {
  const dir = env.DOCKER_CERT_PATH || join(env.HOME || homedir(), '.docker');
  const read = (name: string) => fs.readFile(join(dir, name)).catch((err: NodeJS.ErrnoException) => {
    throw new EngineError(`DOCKER_TLS_VERIFY is set but ${join(dir, name)} cannot be read (${err.code ?? err.message})`);
  });
  const [ca, cert, key] = await Promise.all([read('ca.pem'), read('cert.pem'), read('key.pem')]);
  return { ca, cert, key };
}
