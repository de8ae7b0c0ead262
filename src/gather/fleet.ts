// Gather the fleet from every source side by side, then hand the evidence to the model.
import { inferServerVersion, type Policy } from '../model/worker/classify.js';
import type { ClientConn, FleetEvidence, OurBroker } from '../model/verdict/evidence.js';
import { buildFleet, type Fleet } from '../model/verdict/fleet.js';
import type { BrokerClient, BrokerWorkersResult, EventsResult } from '../sources/broker/client.js';
import type { DockerEngineResult } from '../sources/docker/containers.js';
import type { HostReport } from '../sources/ssh/parse.js';
import type { GatherContext, GatherSettings } from './types.js';

export interface FleetWant {
  /** Ask active/reserved/scheduled too, to tell whose unacked tasks are whose. */
  tasks?: boolean;
  /** Listen to heartbeats and task events this long (0 or absent: not at all). */
  listenS?: number;
  /** Events already heard on a kept-open stream (watch, metrics --listen): used instead of listening. */
  heard?: EventsResult;
  visibilityTimeoutS?: number;
  /** Unacked tasks held by no responsive worker, per queue: filled in by gatherEvidence. */
  orphans?: Map<string, { count: number; oldestAt: number | null }>;
}

/** What was read, before the model judged it: kept for the reports that show sources. */
export interface Gathered {
  replies: BrokerWorkersResult | null;
  events: EventsResult | null;
  clients: ClientConn[] | null;
  engines: DockerEngineResult[];
  hosts: HostReport[];
}

export async function gatherRaw(ctx: GatherContext, settings: GatherSettings, broker: BrokerClient | null, want: FleetWant): Promise<Gathered> {
  const listen = want.heard ? Promise.resolve(want.heard)
    : want.listenS && broker ? ctx.progress.track('heartbeats', broker.listen({ seconds: want.listenS, signal: ctx.signal })) : null;
  // The sources run side by side: the whole gather takes as long as the slowest one.
  const [replies, clients, engines, hosts, events] = await Promise.all([
    broker ? ctx.progress.track('broker replies', broker.workers({ timeoutMs: settings.timeoutMs, signal: ctx.signal, tasks: want.tasks })) : null,
    broker ? broker.clients() : null,
    ctx.progress.track('docker', gatherDocker(ctx, settings)),
    ctx.progress.track(`ssh (${settings.ssh.hosts.length} hosts)`, gatherSsh(ctx, settings)),
    listen,
  ]);
  for (const w of [...(replies?.warnings ?? []), ...(events?.warnings ?? [])]) ctx.warn(w);
  // A broker that cannot list its clients is no evidence that nobody is connected.
  return { replies, events, clients: clients && clients.ok ? clients.clients : null, engines, hosts };
}

export function judgeFleet(ctx: GatherContext, settings: GatherSettings, broker: OurBroker, g: Gathered, want: FleetWant): Fleet {
  const containers = g.engines.flatMap((e) => e.containers);
  const processes = g.hosts.flatMap((h) => h.processes);
  const names = [...(g.replies?.workers ?? []).map((w) => w.name), ...containers.map((c) => c.worker_name), ...processes.map((p) => p.worker_name)];
  const responsive = new Set((g.replies?.workers ?? []).filter((w) => w.responsive).map((w) => w.name));
  const serverVersion = settings.serverVersion ?? assumeServerVersion(ctx, names, responsive);
  const policy: Policy = { serverVersion, compatible: settings.compatible };
  const ev: FleetEvidence = {
    broker,
    replies: g.replies,
    clients: g.clients,
    containers,
    processes,
    sources: { hosts: g.hosts, engines: g.engines },
    heartbeats: g.events?.workers ?? new Map(),
    listenedS: want.listenS ?? 0,
    tasks: g.events?.tasks ?? new Map(),
    orphans: want.orphans ?? new Map(),
  };
  return buildFleet(ev, policy, { nowS: ctx.now() / 1000, timeoutS: settings.timeoutMs / 1000, visibilityTimeoutS: want.visibilityTimeoutS ?? 3600 });
}

/** The broker as the model matches workers against it: where we are actually connected. */
export function ourBroker(settings: GatherSettings, broker: BrokerClient | null): OurBroker {
  const t = settings.broker;
  const at = broker?.endpoint ?? (t.kind === 'tcp' ? { host: t.host, port: t.port } : null);
  return { kind: t.transport, display: broker?.display ?? t.display, host: at?.host ?? null, port: at?.port ?? null, db: t.db, vhost: t.vhost };
}

async function gatherDocker(ctx: GatherContext, settings: GatherSettings): Promise<DockerEngineResult[]> {
  if (!settings.docker.endpoints.length) return [];
  const engines = await ctx.sources.docker(settings.docker.endpoints, { timeoutMs: settings.timeoutMs, logs: settings.logs, signal: ctx.signal, env: ctx.env, labels: settings.docker.labels });
  for (const e of engines) if (!e.ok) ctx.warn(`docker ${e.engine}: ${e.error}`);
  return engines;
}

async function gatherSsh(ctx: GatherContext, settings: GatherSettings): Promise<HostReport[]> {
  if (!settings.ssh.hosts.length) return [];
  const hosts = await ctx.sources.ssh(settings.ssh, { timeoutMs: settings.timeoutMs, signal: ctx.signal, env: ctx.env });
  for (const h of hosts) {
    if (!h.ok) ctx.warn(`ssh ${h.target}: ${h.error}`);
    for (const w of h.warnings) ctx.warn(`ssh ${h.target}: ${w}`);
  }
  return hosts;
}

function assumeServerVersion(ctx: GatherContext, names: string[], responsive: Set<string>): string | null {
  const { version, why } = inferServerVersion([...new Set(names)].map((name) => ({ name, responsive: responsive.has(name) })));
  if (version) ctx.info(`no server version given; assuming ${version}: ${why} (set --server-version)`);
  else if (names.length) ctx.info('no server version given and no worker name carries one (set --server-version)');
  return version;
}
