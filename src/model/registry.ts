// Pure: heartbeat registries (coordinator APIs), normalised, graded by age and summarised.
import { compareText } from '../util/text.js';

export type RegistryState = 'healthy' | 'degraded' | 'stale' | 'unknown';

/** One worker as the registry lists it, before grading. */
export interface RawRegistryEntry {
  worker_id: string;
  status: string | null;
  last_heartbeat: unknown;
  error: string | null;
}

export interface RegistryEntry {
  source: string;
  worker_id: string;
  status: string | null;
  last_heartbeat: string | null;
  age_s: number | null;
  state: RegistryState;
  problem: string | null;
  error: string | null;
}

export interface RegistrySummary {
  total: number;
  by_state: Record<RegistryState, number>;
  by_status: Record<string, number>;
  by_error: Record<string, number>;
  /** "10 workers: 8 failed, 2 running" */
  statuses: string;
  /** "8 workers: stale heartbeat with active tasks; 1: failed to spawn", or null without errors. */
  errors: string | null;
  /** Entries whose status looks failed, or that carry an error. */
  failed: number;
  failure_rate: number | null;
  /** The registry keeps failing its workers: a finding of its own. */
  failing: boolean;
}

export interface GradeOptions {
  source: string;
  nowS: number;
  healthyS: number;
  staleS: number;
}

// Clocks drift; a heartbeat a little ahead of ours is still fresh.
const SKEW_S = 60;
const FAILED_STATUS = /fail|error|dead|crash/i;
const NO_STATUS = '(no status)';

export function gradeEntry(raw: RawRegistryEntry, o: GradeOptions): RegistryEntry {
  const base = { source: o.source, worker_id: raw.worker_id, status: raw.status, error: raw.error };
  const unknown = (problem: string, shown: string | null) =>
    ({ ...base, last_heartbeat: shown, age_s: null, state: 'unknown' as const, problem });
  if (raw.last_heartbeat === null || raw.last_heartbeat === undefined || raw.last_heartbeat === '') {
    return unknown('no last_heartbeat', null);
  }
  const at = parseTimestamp(raw.last_heartbeat);
  const shown = typeof raw.last_heartbeat === 'string' ? raw.last_heartbeat : at === null ? null : new Date(at * 1000).toISOString();
  if (at === null) return unknown('unparseable last_heartbeat', shown ? shown.slice(0, 100) : JSON.stringify(raw.last_heartbeat).slice(0, 100));
  const age = o.nowS - at;
  if (age < -SKEW_S) return unknown('last_heartbeat is in the future (clock skew?)', shown);
  const age_s = Math.max(0, Math.round(age));
  const state: RegistryState = age_s < o.healthyS ? 'healthy' : age_s <= o.staleS ? 'degraded' : 'stale';
  const problem =
    state === 'healthy' ? null
      : state === 'degraded' ? `last heartbeat ${age_s} s ago (healthy below ${o.healthyS} s)`
        : `last heartbeat ${age_s} s ago, past the ${o.staleS} s stale timeout`;
  return { ...base, last_heartbeat: shown, age_s, state, problem };
}

export function isFailed(e: { status: string | null; error: string | null }): boolean {
  return Boolean(e.error) || (e.status !== null && FAILED_STATUS.test(e.status));
}

export function summarizeRegistry(entries: RegistryEntry[]): RegistrySummary {
  const by_state: Record<RegistryState, number> = { healthy: 0, degraded: 0, stale: 0, unknown: 0 };
  const by_status: Record<string, number> = {};
  const by_error: Record<string, number> = {};
  let failed = 0;
  for (const e of entries) {
    by_state[e.state]++;
    const status = e.status ?? NO_STATUS;
    by_status[status] = (by_status[status] ?? 0) + 1;
    if (e.error) by_error[e.error] = (by_error[e.error] ?? 0) + 1;
    if (isFailed(e)) failed++;
  }
  const total = entries.length;
  const failure_rate = total ? failed / total : null;
  return {
    total,
    by_state,
    by_status,
    by_error,
    statuses: `${plural(total, 'worker')}: ${ranked(by_status).map(([s, n]) => `${n} ${s}`).join(', ') || 'none'}`,
    errors: errorLine(by_error),
    failed,
    failure_rate,
    // One failed worker out of two is already a pattern; one out of one is just a worker.
    failing: total >= 2 && failure_rate !== null && failure_rate >= 0.5,
  };
}

/** "8 workers: stale heartbeat with active tasks; 1: failed to spawn" — the biggest groups first. */
function errorLine(by_error: Record<string, number>): string | null {
  const groups = ranked(by_error);
  if (!groups.length) return null;
  const MAX = 5;
  const parts = groups.slice(0, MAX).map(([why, n], i) => (i === 0 ? `${plural(n, 'worker')}: ${why}` : `${n}: ${why}`));
  const rest = groups.slice(MAX).reduce((a, [, n]) => a + n, 0);
  if (rest) parts.push(`${rest}: ${groups.length - MAX} other reason${groups.length - MAX === 1 ? '' : 's'}`);
  return parts.join('; ');
}

function ranked(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Unix seconds from an ISO 8601 string, a unix number (s, or ms when huge) or kombu's
 * {"__type__": "datetime", "__value__": …}. A date-time without an offset is taken as UTC:
 * coordinators written in Python often send naive utcnow() values.
 */
export function parseTimestamp(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? (v > 1e11 ? v / 1000 : v) : null;
  if (v !== null && typeof v === 'object' && '__value__' in v) return parseTimestamp((v as { __value__: unknown }).__value__);
  if (typeof v !== 'string') return null;
  const m = ISO.exec(v.trim());
  if (!m) return null;
  const [, date, time = '00:00:00', frac = '', zone = 'Z'] = m;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}.${(frac + '000').slice(0, 3)}${offset}`);
  return Number.isNaN(ms) ? null : ms / 1000;
}

/** One registry as read: what the stale and diagnose reports show of it. */
export interface RegistryReport {
  source: string;
  ok: boolean;
  error: string | null;
  entries: RegistryEntry[];
  summary: RegistrySummary;
}
