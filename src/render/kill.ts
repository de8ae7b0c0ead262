// `fleetdoc kill`: the plan (dry run) or what happened, one block per target.
import { oneLine } from '../util/text.js';
import type { KillAction } from '../model/remedy/plan.js';
import { paintSeverity, type Style } from './style.js';

export function killText(actions: KillAction[], dryRun: boolean, style: Style): string {
  const out: string[] = [];
  if (!actions.length) out.push('nothing to stop: no target matched');
  for (const a of actions) {
    const sev = a.result === 'stopped' || a.result === 'planned' ? 'ok' : a.result === 'skipped' ? 'warning' : 'critical';
    const who = a.worker ? oneLine(a.worker) : oneLine(a.target);
    out.push(`${paintSeverity(style, sev, a.result.padEnd(13))} ${who}${a.method !== 'none' ? `  via ${a.method}` : ''}`);
    if (a.detail) out.push(`    ${oneLine(a.detail)}`);
    for (const c of a.commands) out.push(`    $ ${oneLine(c)}`);
  }
  if (dryRun && actions.some((a) => a.result === 'planned')) out.push('dry run: nothing was changed. Run again with --yes to do this.');
  return out.join('\n') + '\n';
}

export function killJson(actions: KillAction[], dryRun: boolean): unknown {
  return {
    dry_run: dryRun,
    actions: actions.map((a) => ({
      target: a.target, worker: a.worker, method: a.method, host: a.host, pid: a.pid, container: a.container,
      commands: a.commands, result: a.result, detail: a.detail,
    })),
  };
}
