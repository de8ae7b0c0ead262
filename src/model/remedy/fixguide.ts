// Pure: the fix guide's steps for one worker process on an SSH host: stop it (forcing it only when it
// cannot stop itself), then start it again under the versioned name with every other argument kept,
// through whatever supervises it, so that the fix sticks.
import { parseCeleryWorker, rewriteWorkerName, type CeleryWorkerArgs } from '../worker/celery-argv.js';
import { parseWorkerName, versionedName } from '../worker/name.js';
import { isStopped } from '../worker/process-state.js';
import type { ProcessRecord } from '../types.js';
import { remedies, type RemedyOptions } from './commands.js';
import { GRACE_S, type Remedy, type Step } from './steps.js';
import { restarter, supervisedStart } from './supervised.js';

export function fixSteps(p: ProcessRecord, opts: { serverVersion: string | null; hung: boolean; graceS?: number }): Step[] {
  const all = [p.pid, ...p.children];
  const sup = restarter(p);
  const steps: Step[] = [];
  // What restarts it is stopped first: the supervisor's own stop, or the loop around it.
  if (sup?.stop && sup.s.kind !== 'script') steps.push({ kind: 'supervisor-stop', target: p.target, argv: sup.stop, name: p.worker_name });
  if (sup?.s.kind === 'script' && sup.s.parent_pid) steps.push({ kind: 'signal', target: p.target, signal: 'TERM', pids: [sup.s.parent_pid] });
  // A pod is restarted by its owner whatever is done to its process: only the kubectl lines help.
  if ((!sup?.stop || sup.s.kind === 'script') && sup?.s.kind !== 'kubernetes') {
    if (isStopped(p.state)) steps.push({ kind: 'signal', target: p.target, signal: 'CONT', pids: all });
    steps.push({ kind: 'signal', target: p.target, signal: 'TERM', pids: [p.pid] });
    if (opts.hung || isStopped(p.state)) steps.push({ kind: 'wait-gone', seconds: opts.graceS ?? GRACE_S }, { kind: 'signal', target: p.target, signal: 'KILL', pids: all });
  }
  const argv = opts.serverVersion ? startArgv(p, opts.serverVersion) : null;
  if (sup) steps.push(...supervisedStart(p, sup.s, argv, opts.serverVersion ? nameTemplate(p, opts.serverVersion) : null));
  else if (argv) steps.push({ kind: 'start', target: p.target, argv, cwd: p.cwd ?? null });
  return steps;
}

/** The fix guide as printed: each step where to type it and what. */
export function processRemediation(p: ProcessRecord, o: { serverVersion: string | null; hung: boolean } & RemedyOptions): Remedy[] {
  return remedies(fixSteps(p, o), o);
}

/**
 * The worker's own command with its -n replaced by the versioned name. The name keeps its host part
 * as written (`%h` stays `%h`); with no -n, Celery's default `celery@%h` is what gets versioned.
 */
export function startArgv(p: ProcessRecord, version: string): string[] | null {
  const args = parseCeleryWorker(p.argv);
  return args ? rewriteWorkerName(args, template(args, p, version)) : null;
}

/** The versioned -n template this process should run under. */
export function nameTemplate(p: ProcessRecord, version: string): string | null {
  const args = parseCeleryWorker(p.argv);
  return args ? template(args, p, version) : null;
}

function template(args: CeleryWorkerArgs, p: ProcessRecord, version: string): string {
  const fromName = p.worker_name.includes('@') ? `${p.worker_name.slice(0, p.worker_name.indexOf('@'))}@%h` : null;
  const given = args.hostname ?? fromName ?? 'celery@%h';
  const at = given.indexOf('@');
  const name = at < 0 ? '' : given.slice(0, at);
  const host = at < 0 ? given : given.slice(at + 1);
  return versionedName(parseWorkerName(`${name || 'celery'}@`), version, host || '%h');
}
