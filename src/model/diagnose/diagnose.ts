// Pure: every check over every source, as named checks with findings and one overall status.
import { exitCodeFor, worst } from '../severity.js';
import { remedies, type RemedyOptions } from '../remedy/commands.js';
import { containerCheckFindings, finding, queueFindings, staleFindings, versionFindings, type Finding } from './findings.js';
import type { QueueRow } from '../queues.js';
import type { RegistrySummary } from '../registry.js';
import type { StaleRow } from '../stale-rows.js';
import type { ContainerRecord, Severity, Worker } from '../types.js';
import { beatCheck, type BeatRecord } from './beat.js';
import type { OurBroker, TaskOutcomes } from '../verdict/evidence.js';
import { taskEvidence, taskFailureFindings } from './task-outcomes.js';

export const CHECKS: { name: string; title: string }[] = [
  { name: 'broker', title: 'broker reachable, memory and eviction' },
  { name: 'worker-versions', title: 'worker versions' },
  { name: 'queue-health', title: 'queue health' },
  { name: 'stale-workers', title: 'hung, stale and gone workers' },
  { name: 'registries', title: 'heartbeat registries' },
  { name: 'docker-engines', title: 'Docker engines reachable' },
  { name: 'restart-loops', title: 'Docker restart loops and OOM kills' },
  { name: 'stray-containers', title: 'stray worker containers' },
  { name: 'ssh-hosts', title: 'SSH hosts reachable' },
  { name: 'host-resources', title: 'host disk and memory' },
  { name: 'image-labels', title: 'image version labels' },
  { name: 'task-failures', title: 'workers failing their tasks (task events, -E)' },
  { name: 'beat', title: 'celery beat schedulers (one per broker)' },
];

export interface BrokerFacts {
  ok: boolean;
  display: string;
  error: string | null;
  latency_ms: number | null;
  version: string | null;
  /** 'redis' or 'rabbitmq' once read; null when the broker could not be read. */
  kind: 'redis' | 'rabbitmq' | null;
  alarms: string[];
  used_memory: number | null;
  maxmemory: number | null;
  maxmemory_policy: string | null;
  rejected_connections: number | null;
}

export interface DiagnoseInput {
  broker: BrokerFacts;
  serverVersion: string | null;
  workers: Worker[];
  queues: QueueRow[];
  stale: StaleRow[];
  registries: { source: string; ok: boolean; error: string | null; summary: RegistrySummary; stale: string[] }[];
  engines: { engine: string; ok: boolean; error: string | null; containers: ContainerRecord[]; logs: Record<string, string[]>; tails?: Record<string, string[]> }[];
  hosts: { target: string; ok: boolean; error: string | null; hostname: string | null; memory: { total_kb: number; available_kb: number } | null; disks: { mount: string; use_pct: number }[] }[];
  remedy: RemedyOptions;
  /** Task outcomes heard while listening, and for how long (0: not listened). */
  tasks?: Map<string, TaskOutcomes>;
  listenedS?: number;
  /** Beat schedulers found on the SSH hosts and in containers; `ours` to tell which share this broker. */
  beats?: BeatRecord[];
  ours?: OurBroker;
  /** Why a check could not run: not configured (ok) or its source is down (unknown). */
  skipped: Record<string, { reason: string; status: Severity }>;
}

export interface CheckResult {
  name: string;
  title: string;
  status: Severity;
  skipped: string | null;
  findings: Finding[];
  /** What was looked at, for -v. */
  evidence: string[];
}

export interface Diagnosis {
  status: Severity;
  exit_code: number;
  checks: CheckResult[];
  findings: Finding[];
}

export function diagnose(input: DiagnoseInput, names: string[]): Diagnosis {
  const all = findingsFor(input);
  const checks = CHECKS.filter((c) => names.includes(c.name)).map((c): CheckResult => {
    const findings = all.filter((f) => f.check === c.name);
    const skip = input.skipped[c.name] ?? null;
    const status = skip ? worst([skip.status, ...findings.map((f) => f.severity)]) : worst(findings.map((f) => f.severity));
    return { name: c.name, title: c.title, status, skipped: skip?.reason ?? null, findings, evidence: evidenceFor(c.name, input) };
  });
  const status = worst(checks.map((c) => c.status));
  return { status, exit_code: exitCodeFor(status), checks, findings: checks.flatMap((c) => c.findings) };
}

function findingsFor(i: DiagnoseInput): Finding[] {
  const containers = i.engines.flatMap((e) => e.containers);
  const logs = Object.assign({}, ...i.engines.map((e) => e.logs));
  const tails = Object.assign({}, ...i.engines.map((e) => e.tails ?? {}));
  return [
    ...brokerFindings(i.broker),
    ...versionFindings(i.workers, i.serverVersion, i.remedy),
    ...queueFindings(i.queues, i.remedy),
    ...staleFindings(i.stale),
    ...i.registries.flatMap(registryFindings),
    ...i.engines.filter((e) => !e.ok).map((e) => finding('docker-engines', 'warning', e.engine, `Docker engine ${e.engine} cannot be read: ${e.error}`, [], [])),
    // A container of another broker's app is not ours to stop or rename.
    ...containerCheckFindings(containers, i.serverVersion, logs, { tails, broker: { display: i.broker.display, ok: i.broker.ok }, remedy: i.remedy })
      .filter((f) => f.check !== 'stray-containers' || !foreignContainers(i).has(f.subject)),
    ...i.hosts.filter((h) => !h.ok).map((h) => finding('ssh-hosts', 'warning', h.target, `SSH host ${h.target} cannot be read: ${h.error}`, [], [])),
    ...i.hosts.flatMap(resourceFindings),
    ...taskFailureFindings(i.workers, i.tasks ?? new Map(), i.listenedS ?? 0, i.remedy),
    ...(i.ours ? beatCheck(i.beats ?? [], i.ours, i.remedy).findings : []),
  ];
}

function foreignContainers(i: DiagnoseInput): Set<string> {
  return new Set(i.workers.filter((w) => w.verdict.state === 'foreign' && w.container).map((w) => w.container!.name));
}

function brokerFindings(b: BrokerFacts): Finding[] {
  const f = (sev: Severity, msg: string, fix: Finding['remediation'] = []) => finding('broker', sev, b.display, msg, fix, []);
  if (!b.ok) return [f('unknown', `the broker ${b.display} cannot be read: ${b.error}`)];
  const out: Finding[] = b.alarms.map((a) => f('critical', `the broker raised an alarm: ${a} (publishers are blocked until it clears)`));
  if (b.maxmemory && b.maxmemory_policy && b.maxmemory_policy !== 'noeviction') {
    out.push(f('critical', `the broker evicts keys under memory pressure (maxmemory-policy ${b.maxmemory_policy}): queued tasks can be lost`,
      remedies([{ kind: 'broker-config', display: b.display, setting: 'maxmemory-policy', value: 'noeviction' }], { brokerDisplay: b.display })));
  }
  if (b.maxmemory && b.used_memory !== null && b.used_memory / b.maxmemory > 0.9) {
    out.push(f('warning', `the broker uses ${Math.round((100 * b.used_memory) / b.maxmemory)}% of its maxmemory`));
  }
  if (b.rejected_connections) out.push(f('warning', `the broker has rejected ${b.rejected_connections} connections (maxclients reached?)`));
  if (b.latency_ms !== null && b.latency_ms > 100) out.push(f('warning', `the broker answers slowly: ${b.latency_ms} ms round trip`));
  return out;
}

function registryFindings(r: DiagnoseInput['registries'][number]): Finding[] {
  if (!r.ok) return [finding('registries', 'warning', r.source, `registry ${r.source} cannot be read: ${r.error}`, [], [])];
  const out: Finding[] = [];
  const s = r.summary;
  if (s.by_state.stale || s.by_state.degraded) {
    const sev: Severity = s.by_state.stale ? 'critical' : 'warning';
    out.push(finding('registries', sev, r.source, `registry ${r.source}: ${s.by_state.stale} stale and ${s.by_state.degraded} degraded of ${s.total} workers${r.stale.length ? ` (${r.stale.slice(0, 5).join(', ')}${r.stale.length > 5 ? ', …' : ''})` : ''}`, [], [s.statuses, ...(s.errors ? [s.errors] : [])]));
  }
  if (s.failing) {
    out.push(finding('registries', 'critical', r.source, `registry ${r.source} keeps failing its workers: ${Math.round((s.failure_rate ?? 0) * 100)}% failed${s.errors ? ` (${s.errors})` : ''}`, [], [s.statuses]));
  }
  return out;
}

function resourceFindings(h: DiagnoseInput['hosts'][number]): Finding[] {
  if (!h.ok) return [];
  const name = h.hostname ?? h.target;
  const out = h.disks.filter((d) => d.use_pct > 90).map((d) =>
    finding('host-resources', d.use_pct >= 98 ? 'critical' : 'warning', name, `disk ${d.mount} on ${name} is ${d.use_pct}% full`, [], []));
  if (h.memory && h.memory.total_kb > 0 && h.memory.available_kb / h.memory.total_kb < 0.1) {
    const pct = Math.round((100 * h.memory.available_kb) / h.memory.total_kb);
    out.push(finding('host-resources', 'warning', name, `memory pressure on ${name}: only ${pct}% available`, [], []));
  }
  return out;
}

function evidenceFor(name: string, i: DiagnoseInput): string[] {
  const b = i.broker;
  if (name === 'broker' && b.ok && b.kind === 'rabbitmq') return [`rabbitmq ${b.version ?? '?'}, ${b.latency_ms} ms round trip, alarms ${b.alarms.join(', ') || 'none'}`];
  if (name === 'broker' && b.ok) return [`redis ${b.version ?? '?'}, ${b.latency_ms} ms round trip, used_memory ${b.used_memory ?? '?'}, maxmemory ${b.maxmemory || 'none'}, policy ${b.maxmemory_policy ?? '?'}`];
  if (name === 'stale-workers') {
    const foreign = i.stale.filter((r) => r.state === 'foreign');
    return [`${i.stale.length} workers, ${foreign.length} foreign`, ...foreign.map((r) => `foreign ${r.name}: ${r.reasons[0] ?? ''}`)];
  }
  if (name === 'worker-versions') return [`${i.workers.length} workers, server ${i.serverVersion ?? 'unknown'}`];
  if (name === 'queue-health') return [`${i.queues.length} queues`];
  if (name === 'task-failures') return taskEvidence(i.workers, i.tasks ?? new Map(), i.listenedS ?? 0);
  if (name === 'beat' && i.ours && !i.skipped.beat) return beatCheck(i.beats ?? [], i.ours, i.remedy).evidence;
  if (name === 'ssh-hosts') return i.hosts.map((h) => `${h.target}: ${h.ok ? `ok (${h.hostname})` : h.error}`);
  if (name === 'docker-engines') return i.engines.map((e) => `${e.engine}: ${e.ok ? `${e.containers.length} worker containers` : e.error}`);
  return [];
}
