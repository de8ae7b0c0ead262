// `fleetdoc stale`: every sign that a worker is alive in name only, and the registries' view.
import { UsageError } from '../../errors.js';
import { registrySeverity, staleRows, type StaleRow } from '../../model/stalereport.js';
import { exitCodeFor, worst } from '../../model/verdict.js';
import type { Severity } from '../../model/types.js';
import { renderJson } from '../../render/json.js';
import { staleJson, staleText } from '../../render/stale.js';
import { makeStyle } from '../../render/style.js';
import type { RegistryResult } from '../../sources/registry.js';
import { collect, type Collected } from '../collect.js';
import type { Context } from '../context.js';
import { withBroker, type Fleet } from '../fleet.js';
import type { Settings } from '../settings.js';

export interface StaleOptions {
  listen?: string;
  registry?: string[];
  healthyTimeout?: string;
  staleTimeout?: string;
  visibilityTimeout?: string;
  grace?: string;
}

export interface StaleSettings {
  listenS: number;
  healthyS: number;
  staleS: number;
  visibilityS: number;
  graceS: number;
  registries: string[];
}

export interface StaleReport {
  fleet: Fleet;
  rows: StaleRow[];
  registries: RegistryResult[];
  severity: Severity;
}

export async function runStale(ctx: Context, settings: Settings, opts: StaleOptions): Promise<number> {
  const report = await gatherStale(ctx, settings, opts);
  if (settings.json) ctx.stdout.write(renderJson(staleJson(report.rows, report.registries)));
  else ctx.stdout.write(staleText(report.rows, report.registries, makeStyle(settings.color, ctx.env)));
  return exitCodeFor(report.severity);
}

/** Shared with `kill --stale`. */
export async function gatherStale(ctx: Context, settings: Settings, opts: StaleOptions): Promise<StaleReport> {
  const st = staleSettings(ctx, settings, opts);
  const registriesP = readRegistries(ctx, settings, st);
  const c = await withBroker(settings, (conn) => collect(ctx, settings, conn, { listenS: st.listenS }));
  return staleReport(ctx, settings, st, c, await registriesP);
}

export function staleSettings(ctx: Context, settings: Settings, opts: StaleOptions): StaleSettings {
  const healthyS = seconds('--healthy-timeout', opts.healthyTimeout ?? ctx.env.HEARTBEAT_TIMEOUT_SECONDS ?? '300', 1, 1e7);
  return {
    listenS: seconds('--listen', opts.listen ?? '2.5', 0, 600),
    healthyS,
    staleS: seconds('--stale-timeout', opts.staleTimeout ?? ctx.env.WORKER_TIMEOUT_SECONDS ?? '600', healthyS, 1e7),
    visibilityS: seconds('--visibility-timeout', opts.visibilityTimeout ?? '3600', 1, 1e8),
    graceS: seconds('--grace', opts.grace ?? '10', 0, 3600),
    registries: [...(settings.config.registry ?? []), ...(opts.registry ?? [])],
  };
}

export async function readRegistries(ctx: Context, settings: Settings, st: StaleSettings): Promise<RegistryResult[]> {
  if (!st.registries.length) return [];
  const { readRegistry } = await import('../../sources/registry.js');
  const o = { timeoutMs: settings.timeoutMs, nowS: ctx.now() / 1000, healthyS: st.healthyS, staleS: st.staleS, signal: ctx.signal };
  const out = await Promise.all(st.registries.map((u) => readRegistry(u, o)));
  for (const r of out) if (!r.ok) ctx.warn(`registry ${r.source}: ${r.error}`);
  return out;
}

export function staleReport(ctx: Context, settings: Settings, st: StaleSettings, c: Collected, registries: RegistryResult[]): StaleReport {
  const { fleet } = c;
  const rows = staleRows(fleet.workers.filter((w) => !w.duplicate_of), {
    nowS: ctx.now() / 1000,
    timeoutS: settings.timeoutMs / 1000,
    listenedS: st.listenS,
    visibilityTimeoutS: st.visibilityS,
    heartbeats: c.heartbeats,
    orphans: c.orphans,
    sshLookedUp: new Set(fleet.hosts.filter((h) => h.ok && h.hostname).map((h) => h.hostname!)),
    unreadSources: [
      ...fleet.hosts.filter((h) => !h.ok).map((h) => `ssh ${h.target}: ${h.error}`),
      ...fleet.engines.filter((e) => !e.ok).map((e) => `docker ${e.engine}: ${e.error}`),
    ],
    dockerLookedUp: fleet.engines.some((e) => e.ok),
    brokerDisplay: settings.broker.display,
    graceS: st.graceS,
    sshConfig: settings.ssh.config,
  });
  const severity = worst([
    ...rows.map((r) => r.severity),
    ...registries.flatMap((r) => r.entries.map(registrySeverity)),
    ...registries.map((r): Severity => (!r.ok ? 'warning' : r.summary.failing ? 'critical' : 'ok')),
  ]);
  return { fleet, rows, registries, severity };
}

function seconds(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} ${JSON.stringify(v)} must be a number of seconds from ${min} to ${max}`);
  return n;
}
