// The Prometheus text exposition of one gather: metric families as data (prom-client serves the
// same families for --listen), and their text for stdout and node_exporter's textfile collector.
import type { Diagnosis } from '../model/diagnose/diagnose.js';
import { heartbeatAgeS, type HeartbeatFact, type TaskOutcomes } from '../model/verdict/evidence.js';
import type { QueueRow } from '../model/queues.js';
import type { ContainerRecord, Worker } from '../model/types.js';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'gauge';
  labelNames: string[];
  samples: Sample[];
}

export interface MetricsInput {
  diagnosis: Diagnosis;
  workers: Worker[];
  queues: QueueRow[];
  heartbeats: Map<string, HeartbeatFact>;
  tasks: Map<string, TaskOutcomes>;
  containers: ContainerRecord[];
  /** Each source and whether it could be read: broker, docker:ENGINE, ssh:TARGET, registry:URL. */
  sources: { source: string; up: boolean }[];
  beats: number | null;
  durationS: number;
  nowS: number;
}

const SEVERITIES = ['warning', 'critical', 'unknown'] as const;
const OUTCOMES = ['succeeded', 'failed', 'retried', 'rejected'] as const;

export function metricFamilies(i: MetricsInput): Family[] {
  // Two records of one worker (a duplicate process) must not give two series with the same labels.
  const workers = i.workers.filter((w) => !w.duplicate_of);
  const fam = (name: string, help: string, labelNames: string[], samples: Sample[]): Family => ({ name, help, type: 'gauge', labelNames, samples });
  const s = (labels: Record<string, string>, value: number): Sample => ({ labels, value });
  const withHb = workers.filter((w) => i.heartbeats.has(w.name));
  const withTasks = workers.filter((w) => i.tasks.has(w.name));
  return [
    fam('fleetdoc_worker_info', 'One per worker: its name, release, classification and liveness state.', ['worker', 'basename', 'host', 'version', 'status', 'state'],
      workers.map((w) => s({ worker: w.name, basename: w.basename, host: w.host ?? '', version: w.version ?? '', status: w.status, state: w.verdict.state }, 1))),
    fam('fleetdoc_worker_responsive', 'Whether the worker answered a broker ping (1) or not (0).', ['worker'],
      workers.map((w) => s({ worker: w.name }, w.responsive ? 1 : 0))),
    fam('fleetdoc_worker_compatible', 'Whether the worker runs a release compatible with the server (1) or not (0).', ['worker'],
      workers.map((w) => s({ worker: w.name }, w.compatible ? 1 : 0))),
    fam('fleetdoc_worker_heartbeat_age_seconds', 'Seconds since the worker\'s last heartbeat event (only workers heard while listening).', ['worker'],
      withHb.map((w) => s({ worker: w.name }, round(heartbeatAgeS(i.heartbeats.get(w.name)!, i.nowS))))),
    fam('fleetdoc_worker_tasks', 'Task outcomes heard from the worker while listening (task events: workers started with -E).', ['worker', 'outcome'],
      withTasks.flatMap((w) => OUTCOMES.map((o) => s({ worker: w.name, outcome: o }, i.tasks.get(w.name)![o])))),
    fam('fleetdoc_queue_messages', 'Messages waiting in the queue (priority sub-queues included).', ['queue'], i.queues.map((q) => s({ queue: q.name }, q.messages))),
    fam('fleetdoc_queue_unacked', 'Tasks delivered from the queue and not yet acknowledged.', ['queue'], i.queues.map((q) => s({ queue: q.name }, q.unacked))),
    fam('fleetdoc_queue_oldest_unacked_seconds', 'Age of the oldest unacknowledged task of the queue.', ['queue'],
      i.queues.filter((q) => q.oldest_unacked_age_s !== null).map((q) => s({ queue: q.name }, round(q.oldest_unacked_age_s!)))),
    fam('fleetdoc_queue_consumers', 'Workers consuming the queue, by kind.', ['queue', 'kind'],
      i.queues.flatMap((q) => (['compatible', 'incompatible', 'unresponsive'] as const).map((k) => s({ queue: q.name, kind: k }, q.consumers[k].length)))),
    fam('fleetdoc_container_restarts', 'Docker restart count of each worker container.', ['container', 'engine'],
      i.containers.map((c) => s({ container: c.name, engine: c.engine }, c.restart_count))),
    fam('fleetdoc_findings', 'Findings of each diagnose check, by severity.', ['check', 'severity'],
      i.diagnosis.checks.flatMap((c) => SEVERITIES.map((sev) => s({ check: c.name, severity: sev }, c.findings.filter((f) => f.severity === sev).length)))),
    fam('fleetdoc_beat_schedulers', 'celery beat schedulers found on the SSH hosts and Docker engines looked at.', [], i.beats === null ? [] : [s({}, i.beats)]),
    fam('fleetdoc_status', 'The exit code diagnose would give: 0 ok, 1 warnings, 2 critical, 3 unknown.', [], [s({}, i.diagnosis.exit_code)]),
    fam('fleetdoc_source_up', 'Whether each source could be read (1) or not (0).', ['source'], i.sources.map((x) => s({ source: x.source }, x.up ? 1 : 0))),
    fam('fleetdoc_gather_duration_seconds', 'How long the gather took.', [], [s({}, round(i.durationS))]),
  ];
}

export function metricsText(families: Family[]): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    const seen = new Set<string>();
    for (const x of f.samples) {
      const labels = f.labelNames.map((n) => `${n}="${escapeLabel(x.labels[n] ?? '')}"`).join(',');
      if (seen.has(labels)) continue; // one series per label set, as the format requires
      seen.add(labels);
      out.push(`${f.name}${labels ? `{${labels}}` : ''} ${value(x.value)}`);
    }
  }
  return out.join('\n') + '\n';
}

export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function value(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
