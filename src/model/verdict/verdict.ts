// Pure: one verdict per worker (liveness state, severity, broker match, whether a kill may be
// planned on it), computed once from all the evidence and read by every command.
import { parseCeleryWorker } from '../worker/celery-argv.js';
import { isExited } from '../worker/process-state.js';
import { matchBroker, type MatchResult } from './broker-match.js';
import { heartbeatAgeS, type FleetEvidence } from './evidence.js';
import { liveness } from './liveness.js';
import { containerLive } from '../containers/containers.js';
import type { LivenessState, Severity, Verdict, Worker } from '../types.js';

export interface JudgeOptions {
  nowS: number;
  timeoutS: number;
  visibilityTimeoutS: number;
}

/** Which broker a worker is on: this one when it answered, else what its sockets and settings say. */
export function brokerMatchOf(w: Omit<Worker, 'verdict'>, ev: FleetEvidence): MatchResult {
  return w.responsive ? { match: 'same', broker: ev.broker.display, evidence: null } : matchBroker(w.process, w.container, ev.broker, ev.clients);
}

/** `m`: brokerMatchOf(w, ev), worked out once per worker for this and for silentListeners. */
export function judge(w: Omit<Worker, 'verdict'>, ev: FleetEvidence, o: JudgeOptions, silentRoster: Listeners, m: MatchResult): Verdict {
  if (w.duplicate_of) return duplicate(w, m);
  const hb = ev.heartbeats.get(w.name) ?? null;
  const unacked = w.responsive || m.match === 'other' ? null : orphansFor(w.queues, ev, o.nowS);
  const host = w.host;
  const lv = liveness({
    responsive: w.responsive,
    inRoster: w.in_roster,
    timeoutS: o.timeoutS,
    process: w.process ? { host: w.process.host, pid: w.process.pid, state: w.process.state } : null,
    processLookedUp: host !== null && ev.sources.hosts.some((h) => h.ok && h.hostname === host),
    container: w.container,
    containerLookedUp: ev.sources.engines.some((e) => e.ok),
    hostUnreachable: unread(ev),
    // A goodbye (worker-offline) is no sign of life.
    heartbeat: hb && !hb.offline ? { age_s: heartbeatAgeS(hb, o.nowS), freq: hb.freq } : null,
    listenedS: ev.listenedS,
    match: m,
    listeners: silentRoster(w.name),
    unacked,
    visibilityTimeoutS: o.visibilityTimeoutS,
    pool: parseCeleryWorker(w.process?.argv ?? w.container?.command ?? [])?.pool ?? null,
    upS: upSeconds(w, o.nowS),
    restarts: w.container?.restart_count ?? 0,
  });
  const severity = severityOf(w, lv.state, lv.evidenced);
  return {
    state: lv.state,
    severity,
    liveness_severity: lv.state === 'healthy' || lv.state === 'foreign' ? 'ok' : lv.state === 'degraded' ? 'warning' : severity,
    reasons: lv.reasons,
    broker_match: m.match,
    broker: m.broker,
    actionable: lv.state !== 'foreign' && lv.evidenced,
    unacked,
  };
}

// Replies and heartbeats carry only the name: which of two processes sent them cannot be told, so
// the second one's silence is no evidence, and only naming it (host:pid, container:) may hit it.
function duplicate(w: Omit<Worker, 'verdict'>, m: MatchResult): Verdict {
  return {
    state: 'unresponsive',
    severity: 'warning',
    liveness_severity: 'warning',
    reasons: [`another worker runs under the same name (${w.duplicate_of}): replies and heartbeats cannot be told apart, so this one's liveness is unknown`],
    broker_match: m.match,
    broker: m.broker,
    actionable: false,
    unacked: null,
  };
}

function severityOf(w: Omit<Worker, 'verdict'>, state: LivenessState, evidenced: boolean): Severity {
  if (state === 'foreign') return 'ok';
  const version: Severity = w.compatible ? 'ok' : w.queues.length > 0 ? 'critical' : 'warning';
  if (state === 'healthy') return version;
  if (state === 'degraded') return version === 'critical' ? 'critical' : 'warning';
  // An exited container from an old deploy is cruft, not an outage; silence with no evidence is a question.
  if (state === 'unresponsive' && w.container && !containerLive(w.container) && !w.in_roster) return 'warning';
  if (state === 'unresponsive' && !evidenced) return 'warning';
  return 'critical';
}

export type Listeners = (name: string) => { silent: number | null; addrs: string[] };

/**
 * How many pidbox listeners stayed silent: the broker's own count of who heard the broadcast, minus
 * the workers that answered. AMQP counts consumers per mailbox queue instead.
 */
export function silentListeners(ev: FleetEvidence, merged: Omit<Worker, 'verdict'>[], matches: MatchResult[]): Listeners {
  const r = ev.replies;
  if (!r) return () => ({ silent: null, addrs: [] });
  const answered = r.workers.filter((w) => w.responsive).length;
  // A silent worker of ours whose process or container still runs (stopped, hung) keeps its one
  // subscription: it accounts for a silent listener, which then is not a roster ghost's. Only one
  // seen on this broker counts: one elsewhere, or not known to be here, listens elsewhere or not at
  // all, and counting it would make a live listener look like a ghost.
  const accounted = merged.filter((w, i) => !w.responsive && w.in_roster && stillListening(w) && matches[i].match === 'same').length;
  const silent = r.reached === null ? null : Math.max(0, r.reached - answered - accounted);
  const subscribed = (ev.clients ?? [])
    .filter((c) => c.subscriptions > 0 && (c.db === null || c.db === ev.broker.db) && !(c.name ?? '').startsWith('fleetdoc'))
    .sort((a, b) => (b.idle_s ?? 0) - (a.idle_s ?? 0));
  const addrs = silent ? subscribed.slice(0, silent).map((c) => `${c.addr}${c.idle_s !== null ? ` idle ${c.idle_s} s` : ''}`) : [];
  return (name) => {
    const consumers = r.rosterConsumers?.get(name);
    if (consumers !== undefined) return { silent: consumers, addrs: [] };
    return { silent, addrs };
  };
}

function stillListening(w: Omit<Worker, 'verdict'>): boolean {
  if (w.process) return !isExited(w.process.state);
  return w.container !== null && containerLive(w.container);
}

/** Unacked tasks no responsive worker claims, on the queues this worker consumes. */
function orphansFor(queues: string[], ev: FleetEvidence, nowS: number): Verdict['unacked'] {
  let count = 0;
  let oldest: number | null = null;
  for (const q of queues) {
    const o = ev.orphans.get(q);
    if (!o) continue;
    count += o.count;
    if (o.oldestAt !== null && (oldest === null || o.oldestAt < oldest)) oldest = o.oldestAt;
  }
  return count ? { count, oldest_age_s: oldest === null ? null : Math.round(nowS - oldest) } : null;
}

function upSeconds(w: Omit<Worker, 'verdict'>, nowS: number): number | null {
  if (w.process) return w.process.elapsed_s;
  const t = w.container?.started_at ? Date.parse(w.container.started_at) : NaN;
  return Number.isFinite(t) ? nowS - t / 1000 : null;
}

function unread(ev: FleetEvidence): string | null {
  const out = [
    ...ev.sources.hosts.filter((h) => !h.ok).map((h) => `ssh ${h.target}: ${h.error}`),
    ...ev.sources.engines.filter((e) => !e.ok).map((e) => `docker ${e.engine}: ${e.error}`),
  ];
  return out.length ? out.join('; ') : null;
}
