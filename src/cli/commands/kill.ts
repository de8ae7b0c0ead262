// `fleetdoc kill <target>…`: a dry run by default; only --yes acts.
import { UsageError } from '../../errors.js';
import { planKill, type KillAction } from '../../model/killplan.js';
import { runAction } from '../../model/killrun.js';
import { selectTargets, type Selector } from '../../model/select.js';
import { renderJson } from '../../render/json.js';
import { killText } from '../../render/kill.js';
import { makeStyle } from '../../render/style.js';
import type { Context } from '../context.js';
import { gatherFleet, withBroker } from '../fleet.js';
import type { Settings } from '../settings.js';
import { gatherStale, staleSettings, type StaleOptions } from './stale.js';

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
  const { graceS } = staleSettings(ctx, settings, opts);

  // --stale needs the full stale analysis (heartbeats, other sources); otherwise one gather is enough.
  let workers;
  let gone = new Set<string>();
  let stale = new Set<string>();
  if (opts.stale) {
    const r = await gatherStale(ctx, settings, opts);
    workers = r.fleet.workers;
    gone = new Set(r.rows.filter((x) => x.state === 'gone').map((x) => x.name));
    stale = new Set(r.rows.filter((x) => x.severity === 'critical').map((x) => x.name));
  } else {
    workers = (await withBroker(settings, (conn) => gatherFleet(ctx, settings, conn))).workers;
  }
  const plan = planKill(selectTargets(workers, targets, selectors, stale), { graceS, rm: Boolean(opts.rm), brokerDisplay: settings.broker.display, gone, sshConfig: settings.ssh.config });

  const actions = opts.yes ? await execute(ctx, settings, plan) : plan;
  if (settings.json) ctx.stdout.write(renderJson({ dry_run: !opts.yes, actions: actions.map(actionJson) }));
  else ctx.stdout.write(killText(actions, !opts.yes, makeStyle(settings.color, ctx.env)));
  if (!opts.yes) return actions.some((a) => a.result === 'skipped') ? 1 : 0;
  return actions.length && actions.every((a) => a.result === 'stopped') ? 0 : 2;
}

async function execute(ctx: Context, settings: Settings, plan: KillAction[]): Promise<KillAction[]> {
  return withBroker(settings, async (conn) => {
    const { realEffects } = await import('../../sources/effects.js');
    const fx = realEffects(conn, { timeoutMs: settings.timeoutMs, sshConfig: settings.ssh.config, fastKex: settings.ssh.fastKex, env: ctx.env });
    try {
      // Targets are independent: their grace periods run side by side.
      return await Promise.all(plan.map(async (a) => {
        if (a.result !== 'skipped') ctx.info(`stopping ${a.worker} (${a.method})`);
        return runAction(a, fx);
      }));
    } finally {
      fx.close();
    }
  });
}

function actionJson(a: KillAction): unknown {
  return {
    target: a.target, worker: a.worker, method: a.method, host: a.host, pid: a.pid, container: a.container,
    commands: a.commands, result: a.result, detail: a.detail,
  };
}
