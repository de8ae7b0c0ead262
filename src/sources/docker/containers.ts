// The Docker source: every engine at once, each within its own deadline. One
// list call per engine picks the worker candidates; only those are inspected.
import type { BeatRecord } from '../../model/diagnose/beat.js';
import { setMaxListeners } from 'node:events';
// The Engine API's shapes, as @types/dockerode types them (types only: nothing of dockerode runs).
import type { ContainerInspectInfo } from 'dockerode';
import { isRestartLoop, needsLogs } from '../../model/containers/containers.js';
import type { ContainerRecord } from '../../model/types.js';
import { containerPath } from './api.js';
import { openEngine, parseEndpoint, type EngineClient } from './engine.js';
import { describeError, EngineError, NoAnswer } from './errors.js';
import { fetchExitHistory } from './events.js';
import { fetchLogs } from './logs.js';
import { beatRecord, isBeatCandidate } from './beat.js';
import { candidacy, containerRecord } from './record.js';
import { fetchMemoryUsage } from './stats.js';

export interface DockerEngineResult {
  engine: string;
  ok: boolean;
  error: string | null;
  containers: ContainerRecord[];
  /** Last log lines by container id (--logs N), for containers that are restarting, exited non-zero or OOM-killed. */
  logs: Record<string, string[]>;
  /** The log tail the restart cause is read from, by container id: read even without --logs. */
  tails: Record<string, string[]>;
  /** Containers running `celery beat`. */
  beats?: BeatRecord[];
}

/** Log lines read for a restart cause, and how many problem containers get them. */
export const CAUSE_LINES = 60;
export const CAUSE_CONTAINERS = 20;

export interface DockerOptions {
  timeoutMs: number;
  /** Log lines to fetch per problem container (0 or absent: none). */
  logs?: number;
  signal?: AbortSignal;
  /** For DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, SSH_AUTH_SOCK, HOME (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Only containers with these labels (`key` or `key=value`, all of them): --docker-label. */
  labels?: string[];
}

/** Never rejects: an engine that fails is a result with ok false and a one-line error. */
export function gatherDocker(endpoints: string[], opts: DockerOptions): Promise<DockerEngineResult[]> {
  return Promise.all(endpoints.map((endpoint) => gatherEngine(endpoint, opts)));
}

async function gatherEngine(endpoint: string, opts: DockerOptions): Promise<DockerEngineResult> {
  const result: DockerEngineResult = { engine: endpoint, ok: false, error: null, containers: [], logs: {}, tails: {} };
  const ep = parseEndpoint(endpoint);
  if ('error' in ep) return { ...result, error: `${endpoint}: ${ep.error}` };
  // Our own deadline, not just socket timeouts: an engine that trickles bytes,
  // or an ssh handshake, would otherwise hold the run.
  const ctl = new AbortController();
  setMaxListeners(100, ctl.signal); // every request in flight listens on it
  const cancel = () => ctl.abort();
  if (opts.signal?.aborted) ctl.abort();
  opts.signal?.addEventListener('abort', cancel, { once: true });
  const timer = setTimeout(() => ctl.abort(new NoAnswer()), opts.timeoutMs);
  const stopped = new Promise<never>((_, reject) => {
    if (ctl.signal.aborted) reject(ctl.signal.reason);
    ctl.signal.addEventListener('abort', () => reject(ctl.signal.reason), { once: true });
  });
  stopped.catch(() => undefined);
  const opening = openEngine(ep, { timeoutMs: opts.timeoutMs, env: opts.env ?? process.env });
  let client: EngineClient | null = null;
  try {
    client = await Promise.race([opening, stopped]);
    const beats: BeatRecord[] = [];
    const found = await Promise.race([readWorkers(client, endpoint, ctl.signal, opts.labels ?? [], beats), stopped]);
    result.beats = beats;
    result.ok = true;
    result.containers = found.map((f) => f.record);
    // Best effort within the same deadline: what does not arrive in time is left out.
    await Promise.race([readProblems(client, found, opts.logs ?? 0, result, ctl.signal), stopped]).catch(() => undefined);
  } catch (err) {
    result.error = describeError(endpoint, ctl.signal.aborted ? ctl.signal.reason : err, opts.timeoutMs);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', cancel);
    ctl.abort();
    // Also when the deadline beat the connection: close it once it is made.
    opening.then((c) => c.close(), () => undefined);
  }
  return result;
}

/**
 * For containers in a loop, exited or OOM-killed: the log tail the restart
 * cause is read from (loops first, at most CAUSE_CONTAINERS), their recent
 * die and oom events, the lines --logs shows, and for a running one its
 * memory usage now.
 */
async function readProblems(client: EngineClient, found: Found[], shown: number, result: DockerEngineResult, signal: AbortSignal): Promise<void> {
  const wanted = found.filter((f) => needsLogs(f.record)).sort((a, b) => Number(isRestartLoop(b.record)) - Number(isRestartLoop(a.record)));
  const api = client.api;
  const ids = wanted.slice(0, CAUSE_CONTAINERS).map((f) => f.record.id);
  const history = fetchExitHistory(api, ids, Date.now(), signal).then((byId) => {
    if (signal.aborted) return;
    for (const f of wanted.slice(0, CAUSE_CONTAINERS)) {
      f.record.last_exit_code = byId[f.record.id]?.last_exit ?? null;
      f.record.oom_events = byId[f.record.id]?.ooms ?? 0;
    }
  }, () => undefined);
  const reads = mapLimit(wanted.map((f, i) => ({ ...f, cause: i < CAUSE_CONTAINERS })), client.concurrency, async ({ record, tty, cause }) => {
    const n = Math.max(shown, cause ? CAUSE_LINES : 0);
    const logs = n === 0 ? null : fetchLogs(api, record.id, tty, n, signal).then((lines) => {
      if (signal.aborted) return;
      if (shown > 0) result.logs[record.id] = lines.slice(-shown);
      if (cause) result.tails[record.id] = lines.slice(-CAUSE_LINES);
    }, () => undefined);
    // Whether it died for memory may only show in the events read alongside: sample every running one.
    const memory = cause && record.status === 'running'
      ? fetchMemoryUsage(api, record.id, signal).then((u) => {
        if (!signal.aborted) record.memory_usage = u;
      }, () => undefined)
      : null;
    await Promise.all([logs, memory]);
  });
  await Promise.all([reads, history]);
}

interface Found {
  record: ContainerRecord;
  tty: boolean;
}

async function readWorkers(client: EngineClient, endpoint: string, signal: AbortSignal, labels: string[], beats: BeatRecord[]): Promise<Found[]> {
  const filters = labels.length ? JSON.stringify({ label: labels }) : undefined;
  const list: unknown = await client.api.json('GET', '/containers/json', { all: true, filters }, { signal });
  if (!Array.isArray(list)) throw new EngineError('answered, but not as a Docker engine (no container list)');
  const candidates = list.filter((c) => c && typeof c.Id === 'string' && candidacy(c) !== null);
  const infos = await mapLimit(candidates, client.concurrency, (c) => inspect(client, c.Id, signal));
  const found: Found[] = [];
  for (const info of infos) {
    const record = info ? containerRecord(endpoint, info) : null;
    if (record) found.push({ record, tty: info?.Config?.Tty === true });
  }
  const beatInfos = await mapLimit(list.filter((c) => c && typeof c.Id === 'string' && isBeatCandidate(c)), client.concurrency, (c) => inspect(client, c.Id, signal));
  for (const info of beatInfos) {
    const b = info ? beatRecord(endpoint, info, Date.now() / 1000) : null;
    if (b) beats.push(b);
  }
  return found;
}

async function inspect(client: EngineClient, id: string, signal: AbortSignal): Promise<ContainerInspectInfo | null> {
  try {
    return await client.api.json<ContainerInspectInfo>('GET', containerPath(id, '/json'), {}, { signal });
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null; // removed since the list call
    throw err;
  }
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
