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
      if (status < 200 || status >= 300) throw new EngineHttpError(status, detail(await readBody(res, MAX_ERROR, true), res.statusMessage));
      const text = (await readBody(res, MAX_JSON)).toString('utf8');
      return (text.trim() === '' ? null : JSON.parse(text)) as T;
    },
    async stream(path: string, query?: Query, opts?: CallOptions): Promise<IncomingMessage> {
      const res = await call('GET', path, query, opts);
      const status = res.statusCode ?? 0;
      if (status === 200) return res;
      throw new EngineHttpError(status, detail(await readBody(res, MAX_ERROR, true), res.statusMessage));
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

/** The body, to `max` bytes: past that, the start of it when `cut` (an error's text), else an error. */
async function readBody(res: IncomingMessage, max: number, cut = false): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      res.destroy();
      if (cut) break;
      throw new Error(`the engine's answer is larger than ${max / 1024 / 1024} MB`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
