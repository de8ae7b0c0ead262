// Gather the fleet from every source at once and classify it: shared by every command.
import { FleetdocError } from '../errors.js';
import { inferServerVersion, type Policy } from '../model/classify.js';
import { buildWorkers } from '../model/merge.js';
import type { ContainerRecord, ProcessRecord, Worker } from '../model/types.js';
import type { BrokerConnection } from '../sources/broker/redis/connect.js';
import type { DockerEngineResult } from '../sources/docker/containers.js';
import type { HostReport } from '../sources/ssh/parse.js';
import type { Context } from './context.js';
import type { Settings } from './settings.js';

export interface Fleet {
  serverVersion: string | null;
  policy: Policy;
  workers: Worker[];
  roster: string[];
  /** worker name → task ids it holds (active, reserved, scheduled), when asked for. */
  heldTasks: Map<string, string[]>;
  engines: DockerEngineResult[];
  hosts: HostReport[];
}

/** Open the broker, run `use`, and always close it; connection failures become BrokerError. */
export async function withBroker<T>(settings: Settings, use: (conn: BrokerConnection) => Promise<T>): Promise<T> {
  const { connectBroker, explain } = await import('../sources/broker/redis/connect.js');
  const conn = await connectBroker(settings.broker, settings.timeoutMs);
  try {
    return await use(conn);
  } catch (err) {
    if (err instanceof FleetdocError) throw err;
    throw explain(err as Error, settings.broker, settings.timeoutMs);
  } finally {
    await conn.close();
  }
}

export async function gatherFleet(
  ctx: Context,
  settings: Settings,
  conn: BrokerConnection | null,
  opts: { tasks?: boolean } = {},
): Promise<Fleet> {
  // The sources run side by side: the whole gather takes as long as the slowest one.
  const [res, engines, hosts] = await Promise.all([
    // Without a broker (diagnose when it is down) the other sources still speak.
    conn
      ? ctx.progress.track('broker replies', import('../sources/broker/redis/workers.js').then((m) =>
        m.gatherBrokerWorkers(conn, { timeoutMs: settings.timeoutMs, signal: ctx.signal, tasks: opts.tasks })))
      : { workers: [], roster: [], heldTasks: new Map<string, string[]>(), warnings: [] },
    ctx.progress.track('docker', gatherDockerSafe(ctx, settings)),
    ctx.progress.track(`ssh (${settings.ssh.hosts.length} hosts)`, gatherSshSafe(ctx, settings)),
  ]);
  for (const w of res.warnings) ctx.warn(w);
  const containers: ContainerRecord[] = engines.flatMap((e) => e.containers);
  const processes: ProcessRecord[] = hosts.flatMap((h) => h.processes);
  const names = [...res.workers.map((w) => w.name), ...containers.map((c) => c.worker_name), ...processes.map((p) => p.worker_name)];
  const serverVersion = settings.serverVersion ?? assumeServerVersion(ctx, names, new Set(res.workers.filter((w) => w.responsive).map((w) => w.name)));
  const policy: Policy = { serverVersion, compatible: settings.compatible };
  const workers = buildWorkers({ broker: res.workers, containers, processes }, policy);
  return { serverVersion, policy, workers, roster: res.roster, heldTasks: res.heldTasks, engines, hosts };
}

async function gatherDockerSafe(ctx: Context, settings: Settings): Promise<DockerEngineResult[]> {
  if (!settings.docker.endpoints.length) return [];
  const { gatherDocker } = await import('../sources/docker/containers.js');
  const engines = await gatherDocker(settings.docker.endpoints, { timeoutMs: settings.timeoutMs, logs: settings.logs, signal: ctx.signal });
  for (const e of engines) if (!e.ok) ctx.warn(`docker ${e.engine}: ${e.error}`);
  return engines;
}

async function gatherSshSafe(ctx: Context, settings: Settings): Promise<HostReport[]> {
  if (!settings.ssh.hosts.length) return [];
  const { gatherSsh } = await import('../sources/ssh/hosts.js');
  const hosts = await gatherSsh(settings.ssh, { timeoutMs: settings.timeoutMs, signal: ctx.signal });
  for (const h of hosts) {
    if (!h.ok) ctx.warn(`ssh ${h.target}: ${h.error}`);
    for (const w of h.warnings) ctx.warn(`ssh ${h.target}: ${w}`);
  }
  return hosts;
}

function assumeServerVersion(ctx: Context, names: string[], responsive: Set<string>): string | null {
  const { version, why } = inferServerVersion([...new Set(names)].map((name) => ({ name, responsive: responsive.has(name) })));
  if (version) ctx.info(`no server version given; assuming ${version}: ${why} (set --server-version)`);
  else if (names.length) ctx.info('no server version given and no worker name carries one (set --server-version)');
  return version;
}
