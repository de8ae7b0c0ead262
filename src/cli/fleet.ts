// Gather the fleet from its sources and classify it: shared by every command.
import { FleetdocError } from '../errors.js';
import { newestVersion, type Policy } from '../model/classify.js';
import { buildWorkers } from '../model/merge.js';
import type { Worker } from '../model/types.js';
import type { BrokerConnection } from '../sources/broker/connect.js';
import type { Context } from './context.js';
import type { Settings } from './settings.js';

export interface Fleet {
  serverVersion: string | null;
  policy: Policy;
  workers: Worker[];
  roster: string[];
  /** worker name → task ids it holds (active, reserved, scheduled), when asked for. */
  heldTasks: Map<string, string[]>;
}

/** Open the broker, run `use`, and always close it; connection failures become BrokerError. */
export async function withBroker<T>(settings: Settings, use: (conn: BrokerConnection) => Promise<T>): Promise<T> {
  const { connectBroker, explain } = await import('../sources/broker/connect.js');
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
  conn: BrokerConnection,
  opts: { tasks?: boolean } = {},
): Promise<Fleet> {
  const { gatherBrokerWorkers } = await import('../sources/broker/workers.js');
  const res = await gatherBrokerWorkers(conn, { timeoutMs: settings.timeoutMs, signal: ctx.signal, tasks: opts.tasks });
  for (const w of res.warnings) ctx.warn(w);
  const serverVersion = settings.serverVersion ?? assumeServerVersion(ctx, res.workers.map((w) => w.name));
  const policy: Policy = { serverVersion, compatible: settings.compatible };
  return { serverVersion, policy, workers: buildWorkers(res.workers, policy), roster: res.roster, heldTasks: res.heldTasks };
}

function assumeServerVersion(ctx: Context, names: string[]): string | null {
  const newest = newestVersion(names);
  if (newest) ctx.info(`no server version given; assuming ${newest}, the newest seen among the workers (set --server-version)`);
  else if (names.length) ctx.info('no server version given and no worker name carries one (set --server-version)');
  return newest;
}
