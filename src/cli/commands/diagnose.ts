// `fleetdoc diagnose`: every check over every source at once, what is wrong and what to type.
import { UsageError } from '../../errors.js';
import { withBrokerTolerant } from '../../gather/broker.js';
import { gatherEvidence, type Evidence } from '../../gather/evidence.js';
import { readRegistries } from '../../gather/registries.js';
import { CHECKS, diagnose, type BrokerFacts, type DiagnoseInput } from '../../model/diagnose.js';
import { queueRow } from '../../model/queues.js';
import { staleRows } from '../../model/stale-rows.js';
import type { Severity } from '../../model/types.js';
import { diagnoseJson, diagnoseText } from '../../render/diagnose.js';
import { renderJson } from '../../render/json.js';
import { makeStyle } from '../../render/style.js';
import type { Context } from '../context.js';
import { queuePolicy, staleSettings, type StaleOptions } from '../settings/options.js';
import type { Settings } from '../settings/settings.js';

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
  const st = staleSettings(ctx.env, settings, opts);
  const policy = queuePolicy(settings, opts.minWorkers ?? [], undefined, ctx.now() / 1000);
  const registriesP = readRegistries(ctx, { urls: st.registries, timeoutMs: settings.timeoutMs, healthyS: st.healthyS, staleS: st.staleS });
  const { broker, ev } = await withBrokerTolerant(ctx, settings, async (opened) => {
    const got = await gatherEvidence(ctx, settings, opened.ok ? opened.broker : null, { listenS: st.listenS, queues: true, info: true, visibilityTimeoutS: st.visibilityS });
    return { broker: brokerFacts(settings, opened.ok ? null : opened.error, got), ev: got };
  });
  const registries = await registriesP;
  const remedy = { brokerDisplay: settings.broker.display, keyPrefix: settings.broker.keyPrefix, sshConfig: settings.ssh.config };
  const { fleet } = ev;
  const input: DiagnoseInput = {
    broker,
    serverVersion: fleet.serverVersion,
    workers: fleet.workers,
    queues: ev.queues.map((q) => queueRow(q, fleet.workers, policy)),
    stale: broker.ok ? staleRows(fleet.workers, { ...remedy, nowS: ctx.now() / 1000, graceS: st.graceS, heartbeats: ev.heartbeats }) : [],
    registries: registries.map((r) => ({ ...r, stale: r.entries.filter((e) => e.state === 'stale').map((e) => e.worker_id) })),
    engines: ev.gathered.engines,
    hosts: ev.gathered.hosts,
    remedy,
    skipped: skipped(settings, broker, st.registries.length),
  };
  const result = diagnose(input, names);
  if (settings.json) ctx.stdout.write(renderJson(diagnoseJson(result)));
  else ctx.stdout.write(diagnoseText(result, makeStyle(settings.color, ctx.env), Boolean(opts.verbose)));
  return result.exit_code;
}

function brokerFacts(settings: Settings, error: string | null, ev: Evidence): BrokerFacts {
  const i = ev.info;
  return {
    ok: error === null, display: settings.broker.display, error,
    kind: i?.kind ?? null, latency_ms: i?.latency_ms ?? null, version: i?.version ?? null, used_memory: i?.used_memory ?? null,
    maxmemory: i?.maxmemory ?? null, maxmemory_policy: i?.maxmemory_policy ?? null, rejected_connections: i?.rejected_connections ?? null,
    alarms: i?.alarms ?? [],
  };
}

function chosenChecks(opts: DiagnoseOptions): string[] {
  const known = new Set(CHECKS.map((c) => c.name));
  for (const n of [...(opts.only ?? []), ...(opts.skip ?? [])]) {
    if (!known.has(n)) throw new UsageError(`unknown check ${JSON.stringify(n)} (see fleetdoc diagnose --list-checks)`);
  }
  const only = opts.only?.length ? new Set(opts.only) : known;
  return CHECKS.map((c) => c.name).filter((n) => only.has(n) && !opts.skip?.includes(n));
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
