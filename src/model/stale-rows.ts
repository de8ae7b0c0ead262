// Pure: the rows of `fleetdoc stale`, read off each worker's verdict, with its remediation.
import { remedies, type RemedyOptions } from './remedy/commands.js';
import { stopSteps } from './remedy/plan.js';
import type { RegistryEntry } from './registry.js';
import type { LivenessState } from './verdict/liveness.js';
import { heartbeatAgeS, type HeartbeatFact, type TaskOutcomes } from './verdict/evidence.js';
import { taskStats } from './diagnose/task-outcomes.js';
import type { Severity, Worker } from './types.js';

export interface StaleRow {
  name: string;
  state: LivenessState;
  reasons: string[];
  severity: Severity;
  last_heartbeat_age_s: number | null;
  unacked: number;
  oldest_unacked_age_s: number | null;
  active: number | null;
  processed: number | null;
  loadavg: number[] | null;
  remediation: { where: string; command: string }[];
  broker: string | null;
  broker_match: string;
  /** Task outcomes heard while listening; null when none (idle, or started without -E). */
  tasks: TaskOutcomes | null;
  failure_rate: number | null;
}

export interface StaleRowOptions extends RemedyOptions {
  nowS: number;
  graceS: number;
  heartbeats: Map<string, HeartbeatFact>;
  tasks?: Map<string, TaskOutcomes>;
}

export function staleRows(workers: Worker[], o: StaleRowOptions): StaleRow[] {
  return workers.filter((w) => !w.duplicate_of).map((w) => {
    const v = w.verdict;
    const hb = o.heartbeats.get(w.name) ?? null;
    // Only a state backed by evidence gets a remedy; a worker of another broker never does.
    const fix = v.actionable && (v.state === 'unresponsive' || v.state === 'stale' || v.state === 'gone');
    return {
      name: w.name,
      state: v.state,
      reasons: v.reasons,
      severity: v.liveness_severity,
      last_heartbeat_age_s: hb ? Math.round(heartbeatAgeS(hb, o.nowS) * 10) / 10 : null,
      unacked: v.unacked?.count ?? 0,
      oldest_unacked_age_s: v.unacked?.oldest_age_s ?? null,
      active: hb?.active ?? null,
      processed: hb?.processed ?? null,
      loadavg: hb?.loadavg ?? null,
      remediation: fix ? remedies(stopSteps(w, { graceS: o.graceS, rm: false }), o) : [],
      broker: v.broker,
      broker_match: v.broker_match,
      ...taskStats(o.tasks ?? new Map(), w.name),
    };
  });
}

export function registrySeverity(e: RegistryEntry): Severity {
  return e.state === 'stale' ? 'critical' : e.state === 'degraded' || e.state === 'unknown' ? 'warning' : 'ok';
}
