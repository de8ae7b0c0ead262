// `fleetdoc kill <target>…`: a dry run by default; only --yes acts.
import { runAction } from '../../actions/kill.js';
import { UsageError } from '../../errors.js';
import { withBroker } from '../../gather/broker.js';
import { gatherEvidence } from '../../gather/evidence.js';
import { planKill, type KillAction } from '../../model/remedy/plan.js';
import { selectTargets, type Selector } from '../../model/remedy/targets.js';
import type { BrokerClient } from '../../sources/broker/client.js';
import { renderJson } from '../../render/json.js';
import { killJson, killText } from '../../render/kill.js';
import { makeStyle } from '../../render/style.js';
import type { Context } from '../context.js';
import { staleSettings, type StaleOptions } from '../settings/options.js';
import type { Settings } from '../settings/settings.js';

export interface KillOptions extends StaleOptions {
  yes?: boolean;
  rm?: boolean;
  incompatible?: boolean;
  unversioned?: boolean;
  mismatched?: boolean;
  stale?: boolean;
}

export async function runKill(ctx: Context, settings: Settings, opts: KillOptions, targets: string[]): Promise<number> {
  const selectors = (['incompatible', 'unversioned', 'mismatched', 'stale'] as Selector[]).filter((s) => opts[s]);
  if (!targets.length && !selectors.length) throw new UsageError('name a target (worker name, glob, container:NAME, HOST:PID) or a selector (--incompatible, --unversioned, --mismatched, --stale)');
  const st = staleSettings(ctx.env, settings, opts);
  const actions = await withBroker(ctx, settings, async (broker) => {
    // --stale needs heartbeats to tell hung from busy; the other selectors need one gather only.
    const { fleet } = await gatherEvidence(ctx, settings, broker, opts.stale ? { listenS: st.listenS, visibilityTimeoutS: st.visibilityS } : {});
    const plan = planKill(selectTargets(fleet.workers, targets, selectors), {
      graceS: st.graceS, rm: Boolean(opts.rm), brokerDisplay: settings.broker.display, keyPrefix: settings.broker.keyPrefix, sshConfig: settings.ssh.config,
    });
    return opts.yes ? execute(ctx, settings, broker, plan) : plan;
  });
  if (settings.json) ctx.stdout.write(renderJson(killJson(actions, !opts.yes)));
  else ctx.stdout.write(killText(actions, !opts.yes, makeStyle(settings.color, ctx.env)));
  if (!opts.yes) return actions.some((a) => a.result === 'skipped') ? 1 : 0;
  return actions.length && actions.every((a) => a.result === 'stopped') ? 0 : 2;
}

async function execute(ctx: Context, settings: Settings, broker: BrokerClient, plan: KillAction[]): Promise<KillAction[]> {
  const fx = await ctx.sources.effects(broker, { timeoutMs: settings.timeoutMs, sshConfig: settings.ssh.config, fastKex: settings.ssh.fastKex, env: ctx.env });
  try {
    // Targets are independent: their grace periods run side by side.
    return await Promise.all(plan.map(async (a) => {
      if (a.result !== 'skipped') ctx.info(`stopping ${a.worker} (${a.method})`);
      return runAction(a, fx);
    }));
  } finally {
    fx.close();
  }
}
