// `fleetdoc stale`: every sign that a worker is alive in name only, and the registries' view.
import { withBroker } from '../../gather/broker.js';
import { gatherEvidence } from '../../gather/evidence.js';
import { readRegistries } from '../../gather/registries.js';
import { registrySeverity, staleRows } from '../../model/stale-rows.js';
import { exitCodeFor, worst } from '../../model/severity.js';
import type { Severity } from '../../model/types.js';
import { renderJson } from '../../render/json.js';
import { staleJson, staleText } from '../../render/stale.js';
import { makeStyle } from '../../render/style.js';
import type { Context } from '../context.js';
import { staleSettings, type StaleOptions } from '../settings/options.js';
import type { Settings } from '../settings/settings.js';

export async function runStale(ctx: Context, settings: Settings, opts: StaleOptions): Promise<number> {
  const st = staleSettings(ctx.env, settings, opts);
  const registriesP = readRegistries(ctx, { urls: st.registries, timeoutMs: settings.timeoutMs, healthyS: st.healthyS, staleS: st.staleS });
  const ev = await withBroker(ctx, settings, (broker) => gatherEvidence(ctx, settings, broker, { listenS: st.listenS, visibilityTimeoutS: st.visibilityS }));
  const registries = await registriesP;
  const rows = staleRows(ev.fleet.workers, {
    nowS: ctx.now() / 1000, graceS: st.graceS, heartbeats: ev.heartbeats,
    brokerDisplay: settings.broker.display, keyPrefix: settings.broker.keyPrefix, sshConfig: settings.ssh.config,
  });
  const severity = worst([
    ...rows.map((r) => r.severity),
    ...registries.flatMap((r) => r.entries.map(registrySeverity)),
    ...registries.map((r): Severity => (!r.ok ? 'warning' : r.summary.failing ? 'critical' : 'ok')),
  ]);
  if (settings.json) ctx.stdout.write(renderJson(staleJson(rows, registries)));
  else ctx.stdout.write(staleText(rows, registries, makeStyle(settings.color, ctx.env)));
  return exitCodeFor(severity);
}
