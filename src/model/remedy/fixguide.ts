// Pure: the fix guide's steps for one worker process on an SSH host: stop it (forcing it only when it
// cannot stop itself), then start it again under the versioned name with every other argument kept.
import { parseCeleryWorker, rewriteWorkerName } from '../celery-argv.js';
import { parseWorkerName, versionedName } from '../name.js';
import { isStopped } from '../process-state.js';
import type { ProcessRecord } from '../types.js';
import { remedies, type RemedyOptions } from './commands.js';
import { GRACE_S, type Remedy, type Step } from './steps.js';

export function fixSteps(p: ProcessRecord, opts: { serverVersion: string | null; hung: boolean; graceS?: number }): Step[] {
  const all = [p.pid, ...p.children];
  const steps: Step[] = [];
  if (isStopped(p.state)) steps.push({ kind: 'signal', target: p.target, signal: 'CONT', pids: all });
  steps.push({ kind: 'signal', target: p.target, signal: 'TERM', pids: [p.pid] });
  if (opts.hung || isStopped(p.state)) steps.push({ kind: 'wait-gone', seconds: opts.graceS ?? GRACE_S }, { kind: 'signal', target: p.target, signal: 'KILL', pids: all });
  const argv = opts.serverVersion ? startArgv(p, opts.serverVersion) : null;
  if (argv) steps.push({ kind: 'start', target: p.target, argv, cwd: p.cwd ?? null });
  return steps;
}

/**
 * The worker's own command with its -n replaced by the versioned name. The name keeps its host part
 * as written (`%h` stays `%h`); with no -n, Celery's default `celery@%h` is what gets versioned.
 */
export function startArgv(p: ProcessRecord, version: string): string[] | null {
  const args = parseCeleryWorker(p.argv);
  if (!args) return null;
  const fromName = p.worker_name.includes('@') ? `${p.worker_name.slice(0, p.worker_name.indexOf('@'))}@%h` : null;
  const template = args.hostname ?? fromName ?? 'celery@%h';
  const at = template.indexOf('@');
  const name = at < 0 ? '' : template.slice(0, at);
  const host = at < 0 ? template : template.slice(at + 1);
  const next = versionedName(parseWorkerName(`${name || 'celery'}@`), version, host || '%h');
  return rewriteWorkerName(args, next);
}

/** The fix guide as printed: each step where to type it and what. */
export function processRemediation(p: ProcessRecord, o: { serverVersion: string | null; hung: boolean } & RemedyOptions): Remedy[] {
  return remedies(fixSteps(p, o), o);
}
