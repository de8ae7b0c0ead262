// `fleetdoc diagnose`: every check over every source at once, what is wrong and what to type.
import { FleetdocError, UsageError } from '../../errors.js';
import { CHECKS, diagnose, type BrokerFacts, type DiagnoseInput } from '../../model/diagnose.js';
import { DEFAULT_UNACKED_AGE_S, parseMinWorkers, queueRow } from '../../model/queues.js';
import type { Severity } from '../../model/types.js';
import { diagnoseJson, diagnoseText } from '../../render/diagnose.js';
import { renderJson } from '../../render/json.js';
import { makeStyle } from '../../render/style.js';
import { collect, type Collected } from '../collect.js';
import type { Context } from '../context.js';
import { gatherFleet } from '../fleet.js';
import type { Settings } from '../settings.js';
import { readRegistries, staleReport, staleSettings, type StaleOptions } from './stale.js';

export interface DiagnoseOptions extends StaleOptions {
  only?: string[];
  skip?: string[];
  listChecks?: boolean;
  verbose?: boolean;
  minWorkers?: string[];
}

export async function runDiagnose(ctx: Context, settings: Settings, opts: DiagnoseOptions): Promise<number> {
  if (opts.listChecks) {
    ctx.stdout.write(CHECKS.map((c) => `${c.name.padEnd(18)} ${c.title}\n`).join(''));
    return 0;
  }
  const names = chosenChecks(opts);
  const st = staleSettings(ctx, settings, opts);
  const min = parseMinWorkers(opts.minWorkers ?? []);
  if (typeof min === 'string') throw new UsageError(min);
  const registriesP = readRegistries(ctx, settings, st);
  const { broker, c } = await gatherAll(ctx, settings, st.listenS);
  const registries = await registriesP;
  const { fleet } = c;
  const stale = broker.ok ? staleReport(ctx, settings, st, c, []).rows : [];
  const policy = { ...min, unackedAgeS: DEFAULT_UNACKED_AGE_S, nowS: ctx.now() / 1000 };
  const input: DiagnoseInput = {
    broker,
    serverVersion: fleet.serverVersion,
    workers: fleet.workers,
    queues: c.queues.map((q) => queueRow(q, fleet.workers, policy)),
    stale,
    registries: registries.map((r) => ({ ...r, stale: r.entries.filter((e) => e.state === 'stale').map((e) => e.worker_id) })),
    engines: fleet.engines,
    hosts: fleet.hosts,
    sshConfig: settings.ssh.config,
    skipped: skipped(settings, broker, st.registries.length),
  };
  const result = diagnose(input, names);
  if (settings.json) ctx.stdout.write(renderJson(diagnoseJson(result)));
  else ctx.stdout.write(diagnoseText(result, makeStyle(settings.color, ctx.env), Boolean(opts.verbose)));
  return result.exit_code;
}

function chosenChecks(opts: DiagnoseOptions): string[] {
  const known = new Set(CHECKS.map((c) => c.name));
  for (const n of [...(opts.only ?? []), ...(opts.skip ?? [])]) {
    if (!known.has(n)) throw new UsageError(`unknown check ${JSON.stringify(n)} (see fleetdoc diagnose --list-checks)`);
  }
  const only = opts.only?.length ? new Set(opts.only) : known;
  return CHECKS.map((c) => c.name).filter((n) => only.has(n) && !opts.skip?.includes(n));
}

/** The broker may be down: then Docker and SSH still speak, and the broker checks say unknown. */
async function gatherAll(ctx: Context, settings: Settings, listenS: number): Promise<{ broker: BrokerFacts; c: Collected }> {
  const { connectBroker, explain } = await import('../../sources/broker/redis/connect.js');
  const base = { display: settings.broker.display, latency_ms: null, version: null, used_memory: null, maxmemory: null, maxmemory_policy: null, rejected_connections: null };
  let conn;
  try {
    conn = await connectBroker(settings.broker, settings.timeoutMs);
  } catch (err) {
    const error = (err as Error).message.replace(/^broker [^:]+(?::\/\/[^ ]*)?: /, '');
    const fleet = await gatherFleet(ctx, settings, null);
    return { broker: { ...base, ok: false, error }, c: { fleet, heartbeats: new Map(), queues: [], orphans: new Map(), info: null } };
  }
  try {
    const c = await collect(ctx, settings, conn, { listenS, queues: true, info: true });
    return { broker: { ...base, ...c.info, ok: true, error: null }, c };
  } catch (err) {
    if (err instanceof FleetdocError) throw err;
    throw explain(err as Error, settings.broker, settings.timeoutMs);
  } finally {
    await conn.close();
  }
}

function skipped(settings: Settings, broker: BrokerFacts, registries: number): DiagnoseInput['skipped'] {
  const out: DiagnoseInput['skipped'] = {};
  const down = { reason: 'the broker cannot be read', status: 'unknown' as Severity };
  if (!broker.ok) for (const n of ['worker-versions', 'queue-health', 'stale-workers']) out[n] = down;
  if (!registries) out.registries = { reason: 'no --registry given', status: 'ok' };
  if (!settings.docker.endpoints.length) {
    for (const n of ['docker-engines', 'restart-loops', 'stray-containers', 'image-labels']) out[n] = { reason: 'no Docker engine (--docker)', status: 'ok' };
  }
  if (!settings.ssh.hosts.length) for (const n of ['ssh-hosts', 'host-resources']) out[n] = { reason: 'no --ssh hosts', status: 'ok' };
  return out;
}
