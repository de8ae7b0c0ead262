// Heartbeat registries over HTTP: one GET, bounded in time and size, never a throw for the endpoint's faults.
import { InterruptedError } from '../errors.js';
import { gradeEntry, summarizeRegistry, type RawRegistryEntry, type RegistryEntry, type RegistrySummary } from '../model/registry.js';
import { isObject } from './broker/envelope.js';
import { trustExtraCAs } from './extra-ca.js';

export interface RegistryResult {
  /** The URL with secrets masked: the only form ever printed. */
  source: string;
  ok: boolean;
  error: string | null;
  entries: RegistryEntry[];
  summary: RegistrySummary;
  /** Entries that were skipped, and why. */
  warnings: string[];
}

export interface RegistryOptions {
  timeoutMs: number;
  nowS: number;
  healthyS: number;
  staleS: number;
  signal?: AbortSignal;
}

const MAX_BYTES = 10 * 1024 * 1024;

export async function readRegistry(url: string, opts: RegistryOptions): Promise<RegistryResult> {
  const source = maskUrl(url);
  const fail = (error: string, warnings: string[] = []): RegistryResult =>
    ({ source, ok: false, error, entries: [], summary: summarizeRegistry([]), warnings });
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) return fail('not an http(s) URL');
  if (opts.signal?.aborted) throw new InterruptedError();
  // One deadline for connect, headers and body together.
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), opts.timeoutMs);
  const onAbort = () => ctl.abort();
  opts.signal?.addEventListener('abort', onAbort);
  let text: string;
  try {
    if (/^https:/i.test(url)) await trustExtraCAs();
    const res = await fetch(...request(url, ctl.signal));
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return fail(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    const body = await readCapped(res);
    if (body === null) return fail(`response larger than ${MAX_BYTES / 1024 / 1024} MB, not read`);
    text = body;
  } catch (err) {
    if (opts.signal?.aborted) throw new InterruptedError();
    return fail(ctl.signal.aborted ? `no answer within ${(opts.timeoutMs / 1000).toFixed(1)} s` : reason(err));
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return fail('not JSON');
  }
  const listed = workerList(doc);
  if ('error' in listed) return fail(listed.error);
  const entries = listed.entries.map((raw) => gradeEntry(raw, { source, nowS: opts.nowS, healthyS: opts.healthyS, staleS: opts.staleS }));
  return { source, ok: true, error: null, entries, summary: summarizeRegistry(entries), warnings: listed.warnings };
}

/** fetch refuses URLs with credentials: send them as Basic auth instead. */
function request(url: string, signal: AbortSignal): [URL, RequestInit] {
  const u = new URL(url);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (u.username || u.password) {
    const user = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  return [u, { signal, headers, redirect: 'follow' }];
}

/** Read the body, giving up (and closing the stream) past MAX_BYTES. */
async function readCapped(res: Response): Promise<string | null> {
  if (Number(res.headers.get('content-length') ?? 0) > MAX_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    return null;
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > MAX_BYTES) return null; // leaving the loop cancels the stream
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The coordinator's list, {"workers": [...]}, or a map keyed by worker id. */
export function workerList(doc: unknown): { entries: RawRegistryEntry[]; warnings: string[] } | { error: string } {
  // A worker literally named "workers" in a map must not be mistaken for the wrapper.
  const wrapped = isObject(doc) && (Array.isArray(doc.workers) || (isObject(doc.workers) && !('last_heartbeat' in doc.workers)));
  const inner = wrapped ? (doc as { workers: unknown }).workers : doc;
  const items: [string | null, unknown][] = Array.isArray(inner)
    ? inner.map((v) => [null, v])
    : isObject(inner) ? Object.entries(inner) : [];
  if (!Array.isArray(inner) && !isObject(inner)) return { error: 'not a list of workers (expected an array, {"workers": [...]} or a map)' };
  const entries: RawRegistryEntry[] = [];
  let skipped = 0;
  for (const [key, v] of items) {
    const id = isObject(v) ? (text(v.worker_id) ?? text(v.id) ?? text(v.name) ?? key) : null;
    if (!isObject(v) || !id) {
      skipped++;
      continue;
    }
    entries.push({ worker_id: id, status: text(v.status), last_heartbeat: v.last_heartbeat ?? null, error: firstLine(text(v.error) ?? text(v.reason)) });
  }
  // A map whose values are not workers ({"detail": "Unauthorized"}) is not a registry.
  if (!entries.length && skipped) return { error: 'not a list of workers (no entry has a worker id)' };
  const warnings = skipped ? [`skipped ${skipped} entr${skipped === 1 ? 'y' : 'ies'} without a worker id`] : [];
  return { entries, warnings };
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null;
}

function firstLine(s: string | null): string | null {
  return s === null ? null : s.split('\n')[0].slice(0, 200);
}

/** Node's fetch hides the socket error in `cause`; turn it into one line. */
function reason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host name not found';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection closed by the server';
  if (code.startsWith('ERR_TLS') || /certificate/i.test(cause?.message ?? '')) return `TLS error: ${cause?.message}`;
  return String(cause?.message ?? (err as Error)?.message ?? err).split('\n')[0];
}

/** Hide passwords and token-like query values. */
export function maskUrl(url: string): string {
  if (!URL.canParse(url)) return url.replace(/\/\/[^/@]*@/, '//****@');
  const u = new URL(url);
  if (u.password) u.password = '****';
  for (const k of [...u.searchParams.keys()]) if (/token|key|secret|pass|auth|sig/i.test(k)) u.searchParams.set(k, '****');
  return u.toString();
}
