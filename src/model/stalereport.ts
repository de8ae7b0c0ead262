// Pure: the `stale` report, from the merged workers plus heartbeats, unacked aggregates and registries.
import { planKill, remedy } from './killplan.js';
import type { RegistryEntry } from './registry.js';
import { staleState, type StaleStateName } from './stale.js';
import type { Severity, Worker } from './types.js';

export interface HeartbeatFact {
  last_heartbeat_at: number;
  freq: number | null;
  active: number | null;
  processed: number | null;
  loadavg: number[] | null;
}

export interface StaleContext {
  nowS: number;
  timeoutS: number;
  listenedS: number;
  visibilityTimeoutS: number;
  heartbeats: Map<string, HeartbeatFact>;
  /** Orphaned unacked tasks per queue (held by no responsive worker). */
  orphans: Map<string, { count: number; oldestAt: number | null }>;
  sshLookedUp: Set<string>;
  /** Why some source that could know this worker was not read ("ssh hostB: connection refused"). */
  unreadSources: string[];
  dockerLookedUp: boolean;
  brokerDisplay: string;
  graceS: number;
  sshConfig: string | null;
}

export interface StaleRow {
  name: string;
  state: StaleStateName;
  reasons: string[];
  severity: Severity;
  last_heartbeat_age_s: number | null;
  unacked: number;
  oldest_unacked_age_s: number | null;
  active: number | null;
  processed: number | null;
  loadavg: number[] | null;
  remediation: { where: string; command: string }[];
}

export function staleRows(workers: Worker[], cx: StaleContext): StaleRow[] {
  return workers.map((w) => {
    const hb = cx.heartbeats.get(w.name) ?? null;
    const held = w.responsive ? null : orphansFor(w, cx);
    const v = staleState({
      name: w.name,
      responsive: w.responsive,
      inRoster: w.in_roster,
      timeoutS: cx.timeoutS,
      process: w.process ? { host: w.process.host, pid: w.process.pid, state: w.process.state } : null,
      processLookedUp: w.host !== null && cx.sshLookedUp.has(w.host),
      container: w.container,
      containerLookedUp: cx.dockerLookedUp,
      hostUnreachable: !w.process && !w.container && cx.unreadSources.length ? cx.unreadSources.join('; ') : null,
      heartbeat: hb ? { age_s: Math.max(0, cx.nowS - hb.last_heartbeat_at), freq: hb.freq } : null,
      listenedS: cx.listenedS,
      unacked: held,
      visibilityTimeoutS: cx.visibilityTimeoutS,
    });
    const gone = new Set(v.state === 'gone' ? [w.name] : []);
    const opts = { graceS: cx.graceS, rm: false, brokerDisplay: cx.brokerDisplay, gone, sshConfig: cx.sshConfig };
    const plan = v.state === 'healthy' || v.state === 'degraded' ? [] : planKill([{ target: w.name, worker: w, how: 'name', problem: null }], opts);
    return {
      name: w.name,
      state: v.state,
      reasons: v.reasons,
      severity: v.severity,
      last_heartbeat_age_s: hb ? Math.round(Math.max(0, cx.nowS - hb.last_heartbeat_at) * 10) / 10 : null,
      unacked: held?.count ?? 0,
      oldest_unacked_age_s: held?.oldest_age_s ?? null,
      active: hb?.active ?? null,
      processed: hb?.processed ?? null,
      loadavg: hb?.loadavg ?? null,
      remediation: plan.flatMap((a) => a.steps.flatMap((st) => remedy(st, opts) ?? [])),
    };
  });
}

/** Unacked tasks no responsive worker claims, on the queues this worker consumes. */
function orphansFor(w: Worker, cx: StaleContext): { count: number; oldest_age_s: number | null } | null {
  let count = 0;
  let oldest: number | null = null;
  for (const q of w.queues) {
    const o = cx.orphans.get(q);
    if (!o) continue;
    count += o.count;
    if (o.oldestAt !== null && (oldest === null || o.oldestAt < oldest)) oldest = o.oldestAt;
  }
  return count ? { count, oldest_age_s: oldest === null ? null : Math.round(cx.nowS - oldest) } : null;
}

export function registrySeverity(e: RegistryEntry): Severity {
  return e.state === 'stale' ? 'critical' : e.state === 'degraded' || e.state === 'unknown' ? 'warning' : 'ok';
}
