// The Docker Engine API calls fleetdoc makes, over node:http on a keep-alive Agent (unix socket,
// tcp, TLS, or ssh channels: the Agent decides). It replaces dockerode, whose modules (BuildKit's
// gRPC client, protobufjs, ssh2) took ~190 ms to load on every run that looked at Docker.
// Unversioned paths, as dockerode sent them: the engine answers in its own current version.
import { request, type Agent, type IncomingMessage } from 'node:http';

/** A status the engine answered with; the message reads like docker-modem's, "(HTTP code 404) …". */
export class EngineHttpError extends Error {
  constructor(readonly statusCode: number, detail: string) {
    super(`(HTTP code ${statusCode}) ${detail}`);
  }
}

export interface EngineApi {
  /** A call whose answer is JSON (null for an empty body, as after stop or remove). */
  json<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, query?: Query, opts?: CallOptions): Promise<T>;
  /** A GET whose body is read as a stream (logs, events): resolves once the headers say 200. */
  stream(path: string, query?: Query, opts?: CallOptions): Promise<IncomingMessage>;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** `/containers/<id><rest>`: the id comes from the engine, so it is encoded like any other path segment. */
export function containerPath(id: string, rest = ''): string {
  return `/containers/${encodeURIComponent(id)}${rest}`;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Longest silence on the socket, when longer than the client's (a stop that waits for the grace period). */
  timeoutMs?: number;
}

export interface ApiTarget {
  agent: Agent;
  /** A unix socket; otherwise host and port (for the Host header only when the Agent dials ssh). */
  socketPath?: string;
  host?: string;
  port?: number;
  /** The Agent is an https.Agent. */
  tls?: boolean;
  timeoutMs: number;
}

// A container list of thousands is a few MB; past this it is not an engine worth reading.
const MAX_JSON = 64 * 1024 * 1024;
const MAX_ERROR = 64 * 1024;

export function engineApi(t: ApiTarget): EngineApi {
  const call = (method: string, path: string, query: Query | undefined, opts: CallOptions = {}) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const where = t.socketPath ? { socketPath: t.socketPath } : { host: t.host, port: t.port };
      const req = request({
        ...where,
        agent: t.agent,
        method,
        path: path + queryString(query),
        headers: { accept: 'application/json' },
        signal: opts.signal,
        // node:http's request() speaks https when handed an https.Agent and this protocol.
        ...(t.tls ? { protocol: 'https:' } : {}),
      }, resolve);
      const ms = Math.max(t.timeoutMs, opts.timeoutMs ?? 0);
      req.setTimeout(ms, () => req.destroy(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    });

  return {
    async json<T>(method: 'GET' | 'POST' | 'DELETE', path: string, query?: Query, opts?: CallOptions): Promise<T> {
      const res = await call(method, path, query, opts);
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) throw new EngineHttpError(status, detail(await collect(res, opts?.signal, MAX_ERROR), res.statusMessage));
      // One byte past the cap tells a body of exactly MAX_JSON from a longer one.
      const body = await collect(res, opts?.signal, MAX_JSON + 1);
      if (body.length > MAX_JSON) throw new Error(`the engine's answer is larger than ${MAX_JSON / 1024 / 1024} MB`);
      const text = body.toString('utf8');
      return (text.trim() === '' ? null : JSON.parse(text)) as T;
    },
    async stream(path: string, query?: Query, opts?: CallOptions): Promise<IncomingMessage> {
      const res = await call('GET', path, query, opts);
      const status = res.statusCode ?? 0;
      if (status === 200) return res;
      throw new EngineHttpError(status, detail(await collect(res, opts?.signal, MAX_ERROR), res.statusMessage));
    },
  };
}

function queryString(query: Query | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// The engine's own words ({"message": "No such container: …"}), else the status line.
function detail(body: Buffer, statusMessage: string | undefined): string {
  const text = body.toString('utf8').trim();
  try {
    const m = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof m === 'string' && m.trim()) return m.trim();
  } catch { /* not JSON */ }
  return text.split('\n')[0].slice(0, 200) || (statusMessage ?? 'no reason given');
}

/**
 * A response read to its end, or to about `max` bytes (then the stream is closed and what came is
 * kept), or until `signal` aborts (then it rejects).
 */
export async function collect(stream: NodeJS.ReadableStream & { destroy(): void }, signal: AbortSignal | undefined, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const stop = () => {
      stream.destroy();
      resolve();
    };
    signal?.addEventListener('abort', stop, { once: true });
    stream.on('close', () => signal?.removeEventListener('abort', stop));
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= max) stop();
    });
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  return Buffer.concat(chunks);
}
