// Pure: the exit-code contract, shared by every command.
import { EXIT } from '../errors.js';
import { containerLive } from './containers.js';
import type { Severity, Worker } from './types.js';

/** Alive in some form: answering, or a process/container that still runs. */
export function isLive(w: Worker): boolean {
  if (w.responsive) return true;
  if (w.process) return true;
  if (w.container) return containerLive(w.container);
  return w.in_roster;
}

export function workerSeverity(w: Worker): Severity {
  // An exited container from an old deploy is cruft, not an outage.
  if (!isLive(w)) return 'warning';
  if (!w.responsive) return 'critical';
  if (!w.compatible && w.queues.length > 0) return 'critical';
  if (!w.compatible) return 'warning';
  return 'ok';
}

export function worst(severities: Iterable<Severity>): Severity {
  // A critical finding beats an unknown: it is what the on-call engineer must act on.
  const rank: Record<Severity, number> = { ok: 0, warning: 1, unknown: 2, critical: 3 };
  let out: Severity = 'ok';
  for (const s of severities) if (rank[s] > rank[out]) out = s;
  return out;
}

export function exitCodeFor(s: Severity): number {
  return { ok: EXIT.ok, warning: EXIT.warning, critical: EXIT.critical, unknown: EXIT.unknown }[s];
}
