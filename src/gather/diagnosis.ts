// The diagnose run as data, shared by `diagnose` and `metrics`: one gather over every source,
// then the model's checks. The broker may be opened by the caller and kept (metrics --listen).
import { CHECKS, diagnose, type BrokerFacts, type DiagnoseInput, type Diagnosis } from '../model/diagnose/diagnose.js';
import { queueRow, type QueuePolicy, type QueueRow } from '../model/queues.js';
import { staleRows } from '../model/stale-rows.js';
import type { Severity } from '../model/types.js';
import type { EventsResult } from '../sources/broker/client.js';
import type { RegistryResult } from '../sources/registry.js';
import { withBrokerTolerant, type Opened } from './broker.js';
import { gatherEvidence, type Evidence } from './evidence.js';
import { ourBroker } from './fleet.js';
import { readRegistries, type RegistryWant } from './registries.js';
import type { GatherContext, GatherSettings } from './types.js';

export interface DiagnosisWant {
  listenS: number;
  visibilityS: number;
  graceS: number;
  registries: RegistryWant;
  policy: QueuePolicy;
  /** Check names to run (default: all). */
  checks?: string[];
  /** Events heard on a kept-open stream, with how long it has listened: instead of a listen window. */
  heard?: { events: EventsResult; listenedS: number };
}

export interface DiagnosisRun {
  result: Diagnosis;
  input: DiagnoseInput;
  ev: Evidence;
  registries: RegistryResult[];
  queues: QueueRow[];
}

export function runDiagnosis(ctx: GatherContext, settings: GatherSettings, want: DiagnosisWant): Promise<DiagnosisRun> {
  return withBrokerTolerant(ctx, settings, (opened) => diagnoseWith(ctx, settings, want, opened));
}

export async function diagnoseWith(ctx: GatherContext, settings: GatherSettings, want: DiagnosisWant, opened: Opened): Promise<DiagnosisRun> {
  const registriesP = readRegistries(ctx, want.registries);
  const broker = opened.ok ? opened.broker : null;
  const listenS = want.heard ? want.heard.listenedS : want.listenS;
  const ev = await gatherEvidence(ctx, settings, broker, { listenS, heard: want.heard?.events, queues: true, info: true, visibilityTimeoutS: want.visibilityS });
  const facts = brokerFacts(settings, opened.ok ? null : opened.error, ev);
  const registries = await registriesP;
  const remedy = { brokerDisplay: settings.broker.display, keyPrefix: settings.broker.keyPrefix, sshConfig: settings.ssh.config };
  const { fleet } = ev;
  const queues = ev.queues.map((q) => queueRow(q, fleet.workers, want.policy));
  const input: DiagnoseInput = {
    broker: facts,
    serverVersion: fleet.serverVersion,
    workers: fleet.workers,
    queues,
    stale: facts.ok ? staleRows(fleet.workers, { ...remedy, nowS: ctx.now() / 1000, graceS: want.graceS, heartbeats: ev.heartbeats, tasks: ev.tasks }) : [],
    registries: registries.map((r) => ({ ...r, stale: r.entries.filter((e) => e.state === 'stale').map((e) => e.worker_id) })),
    engines: ev.gathered.engines,
    hosts: ev.gathered.hosts,
    remedy,
    tasks: ev.tasks,
    listenedS: facts.ok ? listenS : 0,
    beats: [...ev.gathered.hosts.flatMap((h) => h.beats ?? []), ...ev.gathered.engines.flatMap((e) => e.beats ?? [])],
    ours: ourBroker(settings, broker),
    skipped: skipped(settings, facts, want.registries.urls.length, listenS),
  };
  return { result: diagnose(input, want.checks ?? CHECKS.map((c) => c.name)), input, ev, registries, queues };
}

function brokerFacts(settings: GatherSettings, error: string | null, ev: Evidence): BrokerFacts {
  const i = ev.info;
  return {
    ok: error === null, display: settings.broker.display, error,
    kind: i?.kind ?? null, latency_ms: i?.latency_ms ?? null, version: i?.version ?? null, used_memory: i?.used_memory ?? null,
    maxmemory: i?.maxmemory ?? null, maxmemory_policy: i?.maxmemory_policy ?? null, rejected_connections: i?.rejected_connections ?? null,
    alarms: i?.alarms ?? [],
  };
}

function skipped(settings: GatherSettings, broker: BrokerFacts, registries: number, listenS: number): DiagnoseInput['skipped'] {
  const out: DiagnoseInput['skipped'] = {};
  const down = { reason: 'the broker cannot be read', status: 'unknown' as Severity };
  if (!broker.ok) for (const n of ['worker-versions', 'queue-health', 'stale-workers', 'task-failures']) out[n] = down;
  else if (listenS <= 0) out['task-failures'] = { reason: 'not listening to events (--listen 0)', status: 'ok' };
  if (!registries) out.registries = { reason: 'no --registry given', status: 'ok' };
  if (!settings.docker.endpoints.length) {
    for (const n of ['docker-engines', 'restart-loops', 'stray-containers', 'image-labels']) out[n] = { reason: 'no Docker engine (--docker)', status: 'ok' };
  }
  if (!settings.ssh.hosts.length) for (const n of ['ssh-hosts', 'host-resources']) out[n] = { reason: 'no --ssh hosts', status: 'ok' };
  if (!settings.ssh.hosts.length && !settings.docker.endpoints.length) out.beat = { reason: 'no --ssh hosts or Docker engine to look in', status: 'ok' };
  return out;
}
