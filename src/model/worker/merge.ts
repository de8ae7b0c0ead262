// Pure: merge what each source says into one Worker per name, then classify it.
import { classify, type Policy } from './classify.js';
import { parseWorkerName } from './name.js';
import { compareText } from '../../util/text.js';
import type { BrokerWorker, ContainerRecord, ProcessRecord, SourceName, Worker } from '../types.js';

export interface SourceRecords {
  broker: BrokerWorker[];
  containers?: ContainerRecord[];
  processes?: ProcessRecord[];
}

export type Merged = Omit<Worker, 'verdict'>;

export function mergeWorkers(records: SourceRecords | BrokerWorker[], policy: Policy): Merged[] {
  const r: SourceRecords = Array.isArray(records) ? { broker: records } : records;
  const containers = groupBy(r.containers ?? [], (c) => c.worker_name);
  const processes = groupBy(r.processes ?? [], (p) => p.worker_name);
  const names = new Set([...r.broker.map((b) => b.name), ...containers.keys(), ...processes.keys()]);
  const brokerBy = new Map(r.broker.map((b) => [b.name, b]));
  const out: Merged[] = [];
  for (const name of names) {
    const b = brokerBy.get(name) ?? null;
    const procs = processes.get(name) ?? [];
    const ctrs = containers.get(name) ?? [];
    // On a conflict the broker's pid decides which process is the worker; a running container beats an exited one.
    const proc = procs.find((p) => b?.pid != null && p.pid === b.pid) ?? procs[0] ?? null;
    const ctr = [...ctrs].sort((x, y) => rankContainer(x) - rankContainer(y))[0] ?? null;
    out.push(worker(name, b, ctr, proc, policy, null));
    for (const p of procs) if (p !== proc) out.push(worker(name, null, null, p, policy, `process ${proc!.pid} on ${proc!.host}`));
    for (const c of ctrs) if (c !== ctr) out.push(worker(name, null, c, null, policy, `container ${ctr!.name}`));
  }
  return out.sort((a, b) => compareText(a.name, b.name) || Number(Boolean(a.duplicate_of)) - Number(Boolean(b.duplicate_of)));
}

function worker(
  name: string,
  b: BrokerWorker | null,
  container: ContainerRecord | null,
  proc: ProcessRecord | null,
  policy: Policy,
  duplicateOf: string | null,
): Merged {
  const parsed = parseWorkerName(name);
  const sources: SourceName[] = [];
  if (b) sources.push('broker');
  if (container) sources.push('docker');
  if (proc) sources.push('ssh');
  return {
    name,
    basename: parsed.basename,
    host: parsed.host,
    version: parsed.version,
    ...classify(parsed, policy),
    responsive: b?.responsive ?? false,
    in_roster: b?.in_roster ?? false,
    // When the worker did not answer, its own command line is the best word on its queues.
    queues: b?.queues ?? proc?.queues ?? container?.queues ?? [],
    pid: b?.pid ?? proc?.pid ?? null,
    children: b?.children.length ? b.children : (proc?.children ?? []),
    concurrency: b?.concurrency ?? proc?.concurrency ?? container?.concurrency ?? null,
    uptime_s: b?.uptime_s ?? proc?.elapsed_s ?? null,
    sources,
    container,
    process: proc,
    broker: b?.broker ?? null,
    duplicate_of: duplicateOf,
    unresponsive_reason: null,
  };
}

function rankContainer(c: ContainerRecord): number {
  return c.status === 'running' ? 0 : c.status === 'restarting' ? 1 : 2;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) m.set(key(it), [...(m.get(key(it)) ?? []), it]);
  return m;
}
