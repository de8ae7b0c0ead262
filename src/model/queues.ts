// Pure: one health row per queue, from depths, unacked aggregates and the classified workers.
import type { Severity, Worker } from './types.js';
import { worst } from './severity.js';

export interface QueueFacts {
  name: string;
  messages: number;
  unacked: number;
  oldestUnackedAt: number | null;
  orphaned: number;
  oldestOrphanAt: number | null;
  /** Problems found while reading this queue (wrong key type …). */
  readProblems: string[];
  /** Consumers the broker itself counts (AMQP); null when it cannot tell. */
  consumers?: number | null;
}

/** --unacked-age when not given: 10 minutes. */
export const DEFAULT_UNACKED_AGE_S = 600;

export interface QueuePolicy {
  /** Default minimum of compatible consumers, and per-queue overrides (which also apply to idle queues). */
  minWorkers: number;
  minWorkersFor: Record<string, number>;
  unackedAgeS: number;
  nowS: number;
}

export interface QueueRow {
  name: string;
  messages: number;
  unacked: number;
  oldest_unacked_age_s: number | null;
  consumers: { compatible: string[]; incompatible: string[]; unresponsive: string[] };
  compatible_workers: number;
  incompatible_workers: number;
  healthy: boolean;
  severity: Severity;
  idle: boolean;
  problems: string[];
}

export function queueRow(f: QueueFacts, workers: Worker[], p: QueuePolicy): QueueRow {
  // A worker of another broker consumes another broker's queue of the same name: not this one.
  const on = workers.filter((w) => w.queues.includes(f.name) && w.verdict.state !== 'foreign');
  const consumers = {
    compatible: on.filter((w) => w.responsive && w.compatible).map((w) => w.name),
    incompatible: on.filter((w) => w.responsive && !w.compatible).map((w) => w.name),
    unresponsive: on.filter((w) => !w.responsive).map((w) => w.name),
  };
  const idle = f.messages === 0 && f.unacked === 0 && on.length === 0;
  const found: [Severity, string][] = f.readProblems.map((m) => ['warning', m]);
  if (f.messages > 0 && consumers.compatible.length === 0) {
    found.push(['critical', `${f.messages} message${f.messages === 1 ? '' : 's'} waiting and no compatible, responsive worker consumes the queue`]);
  }
  for (const name of consumers.incompatible) found.push(['critical', `incompatible consumer ${name} can take tasks`]);
  const explicit = p.minWorkersFor[f.name];
  const min = explicit ?? p.minWorkers;
  const starving = f.messages > 0 && consumers.compatible.length === 0; // already critical above
  if ((!idle || explicit !== undefined) && consumers.compatible.length < min && !starving) {
    found.push(['warning', `${consumers.compatible.length} compatible consumer${consumers.compatible.length === 1 ? '' : 's'}, fewer than the ${min} wanted`]);
  }
  const orphanAge = f.oldestOrphanAt === null ? null : p.nowS - f.oldestOrphanAt;
  if (f.orphaned > 0 && orphanAge !== null && orphanAge > p.unackedAgeS) {
    const who = consumers.unresponsive.length ? `unresponsive worker ${consumers.unresponsive.join(', ')}` : 'a worker that no longer answers';
    found.push(['warning', `${f.orphaned} unacked task${f.orphaned === 1 ? '' : 's'} held by ${who}, oldest ${Math.round(orphanAge)} s`]);
  }
  const severity = worst(found.map(([s]) => s));
  return {
    name: f.name,
    messages: f.messages,
    unacked: f.unacked,
    oldest_unacked_age_s: f.oldestUnackedAt === null ? null : Math.max(0, Math.round(p.nowS - f.oldestUnackedAt)),
    consumers,
    compatible_workers: consumers.compatible.length,
    incompatible_workers: consumers.incompatible.length,
    healthy: severity === 'ok',
    severity,
    idle,
    problems: found.map(([, m]) => m),
  };
}

/** `--min-workers 2` and `--min-workers gpu=2`, repeatable. */
export function parseMinWorkers(values: string[]): { minWorkers: number; minWorkersFor: Record<string, number> } | string {
  const out = { minWorkers: 1, minWorkersFor: {} as Record<string, number> };
  for (const v of values) {
    const m = /^(?:(.+)=)?(\d+)$/.exec(v);
    if (!m) return `--min-workers ${JSON.stringify(v)} must be N or QUEUE=N`;
    if (m[1] === undefined) out.minWorkers = Number(m[2]);
    else out.minWorkersFor[m[1]] = Number(m[2]);
  }
  return out;
}
