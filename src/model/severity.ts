// Pure: severities ranked, and the exit-code contract shared by every command.
import { EXIT } from '../errors.js';
import type { Severity } from './types.js';

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

/** Problems first: critical, unknown, warning, ok. */
export const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, unknown: 1, warning: 2, ok: 3 };
