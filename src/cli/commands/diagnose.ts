// `fleetdoc diagnose`: every check over every source at once, what is wrong and what to type.
import { UsageError } from '../../errors.js';
import { runDiagnosis } from '../../gather/diagnosis.js';
import { CHECKS } from '../../model/diagnose/diagnose.js';
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
  const checks = chosenChecks(opts);
  const st = staleSettings(ctx.env, settings, opts);
  const policy = queuePolicy(settings, opts.minWorkers ?? [], undefined, ctx.now() / 1000);
  const { result } = await runDiagnosis(ctx, settings, {
    listenS: st.listenS, visibilityS: st.visibilityS, graceS: st.graceS, policy, checks,
    registries: { urls: st.registries, timeoutMs: settings.timeoutMs, healthyS: st.healthyS, staleS: st.staleS },
  });
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
