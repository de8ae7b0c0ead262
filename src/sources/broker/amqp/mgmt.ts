// RabbitMQ's management HTTP API: where it is, and GET of JSON with every failure one line.
// Read-only: fleetdoc only ever sends GET here.
import { trustExtraCAs } from '../../extra-ca.js';
import type { BrokerTarget } from '../url.js';

export type ApiResult<T> = { ok: true; data: T } | { ok: false; why: string };

export interface ManagementApi {
  /** The API's base URL, password masked: for messages. */
  display: string;
  get<T = unknown>(path: string): Promise<ApiResult<T>>;
  /** `/api/queues/<vhost>` etc.: the vhost path segment, encoded. */
  vhostPath: string;
}

/** `transportOptions.rabbitmq_api` when given, else http://<broker host>:15672 with the broker's credentials. */
export function apiLocation(t: BrokerTarget): { base: URL; explicit: boolean } {
  const given = t.transportOptions.rabbitmq_api;
  const base = new URL(given ?? `http://${t.host.includes(':') ? `[${t.host}]` : t.host}:15672/`);
  if (!base.username) {
    base.username = encodeURIComponent(t.username ?? 'guest');
    base.password = encodeURIComponent(t.password ?? '');
  }
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return { base, explicit: given !== undefined };
}

export function managementApi(t: BrokerTarget, timeoutMs: number): ManagementApi {
  const { base, explicit } = apiLocation(t);
  const auth = 'Basic ' + Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  const origin = new URL(base.href);
  origin.username = '';
  origin.password = '';
  const display = origin.href.replace(/\/$/, '');
  // A guessed location gets a short try; a given one the full timeout.
  const ms = explicit ? Math.max(timeoutMs, 250) : Math.min(Math.max(timeoutMs, 250), 1000);
  // Once unreachable, unreachable for this run: no second wait per call.
  let down: string | null = null;
  const hint = explicit ? '' : ' (enable rabbitmq_management there, or pass --rabbitmq-api URL)';
  return {
    display,
    vhostPath: encodeURIComponent(t.vhost ?? '/'),
    async get<T>(path: string): Promise<ApiResult<T>> {
      if (down) return { ok: false, why: down };
      const url = new URL(path.replace(/^\//, ''), origin);
      let res: Response;
      try {
        if (url.protocol === 'https:') await trustExtraCAs();
        res = await fetch(url, { headers: { authorization: auth, accept: 'application/json' }, signal: AbortSignal.timeout(ms) });
      } catch (err) {
        down = `management API at ${display} ${networkWhy(err)}${hint}`;
        return { ok: false, why: down };
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel().catch(() => undefined);
        down = `management API at ${display} refused the credentials (HTTP ${res.status}; the user needs the monitoring tag)`;
        return { ok: false, why: down };
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return { ok: false, why: `management API at ${display}: HTTP ${res.status} for ${url.pathname}` };
      }
      try {
        return { ok: true, data: (await res.json()) as T };
      } catch {
        return { ok: false, why: `management API at ${display} sent something that is not JSON for ${url.pathname}` };
      }
    },
  };
}

function networkWhy(err: unknown): string {
  const e = err as { name?: string; cause?: { code?: string }; message?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'did not answer in time';
  const code = e?.cause?.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused the connection';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'has a host name that does not resolve';
  return `is unreachable (${code || String(e?.message ?? err).split('\n')[0]})`;
}
