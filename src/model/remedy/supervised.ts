// Pure: remedies that stick. A worker that systemd, supervisord, a looping script or Kubernetes
// restarts under the same wrong name is stopped, and started again, through what supervises it.
import { parseCeleryWorker, rewriteWorkerName, splitShellWords } from '../worker/celery-argv.js';
import { restartsAfterKill, stopCommand } from '../worker/supervisor.js';
import type { ProcessRecord, Supervisor } from '../types.js';
import { shellJoin } from '../../util/shell.js';
import type { Step } from './steps.js';

/** The supervisor that would undo a plain kill, and the words that stop the worker through it. */
export function restarter(p: ProcessRecord): { s: Supervisor; stop: string[] | null } | null {
  const s = p.supervisor;
  if (!s || s.kind === 'none' || s.kind === 'docker' || s.kind === 'compose') return null;
  if (restartsAfterKill(s) === false) return null;
  return { s, stop: stopCommand(s) };
}

/** One line for the plan: who restarts it, and how fleetdoc stops it instead. */
export function supervisedNote(s: Supervisor): string {
  const how = s.kind === 'systemd' ? `systemd unit ${s.name} (Restart=${s.restart ?? 'unknown'})`
    : s.kind === 'supervisord' ? `supervisord program ${s.name} (autorestart=${s.restart ?? 'unknown'})`
    : s.kind === 'script' ? `${s.restart === 'loop' ? 'the looping script' : 'the parent script'} ${s.name} (pid ${s.parent_pid ?? '?'})`
    : `Kubernetes pod ${s.name}`;
  if (s.kind === 'kubernetes') return `runs in ${how}: its owner would start it again; delete the pod or fix its spec instead`;
  // A script file is not read: it may loop or not, and is stopped first in case it does.
  if (s.kind === 'script' && s.restart !== 'loop') return `supervised by ${how}, which may start it again (whether it loops is not known): stopped first`;
  return `supervised by ${how}: stopped through it, since a plain kill would be undone`;
}

/** The fix guide's start for a supervised worker: the corrected line where the supervisor keeps it. */
export function supervisedStart(p: ProcessRecord, s: Supervisor, argv: string[] | null, template: string | null): Step[] {
  if (s.kind === 'systemd' && s.name) {
    const words = (s.exec_start && template ? correctedExec(s.exec_start, template) : null) ?? argv;
    // systemd reads % as a specifier (%h is a home directory): Celery's %h is written %%h there.
    const line = words ? `ExecStart=${shellJoin(words).replace(/%/g, '%%')}` : null;
    return [
      ...(line ? [{ kind: 'config-line' as const, place: `${s.fragment_path ?? `unit ${s.name}`}: ExecStart`, line }] : []),
      { kind: 'unit-restart', target: p.target, unit: s.name, user: Boolean(s.user_unit) },
    ];
  }
  if (s.kind === 'supervisord' && s.name) {
    const group = s.name.includes(':') ? s.name.slice(0, s.name.indexOf(':')) : s.name;
    return [
      // supervisord expands %(…)s in command=: a literal % is %%.
      ...(argv ? [{ kind: 'config-line' as const, place: `supervisord program ${s.name}: command`, line: `command=${shellJoin(argv).replace(/%/g, '%%')}` }] : []),
      { kind: 'advice', where: { kind: 'ssh', target: p.target }, argv: ['supervisorctl', 'update', group] },
    ];
  }
  if (s.kind === 'script' && argv) return [{ kind: 'config-line', place: `${s.name ?? 'its start script'}: the celery line`, line: shellJoin(argv) }];
  if (s.kind === 'kubernetes' && s.name) {
    const owner = /^(.+)-[a-z0-9]{8,10}-[a-z0-9]{5}$/.exec(s.name)?.[1] ?? null;
    return [
      ...(argv ? [{ kind: 'config-line' as const, place: `the pod spec of ${s.name}: command`, line: shellJoin(argv) }] : []),
      ...(owner ? [{ kind: 'advice' as const, where: { kind: 'here' as const }, argv: ['kubectl', 'rollout', 'restart', `deployment/${owner}`] }] : []),
      { kind: 'advice', where: { kind: 'here' }, argv: ['kubectl', 'delete', 'pod', s.name] },
    ];
  }
  return argv ? [{ kind: 'start', target: p.target, argv, cwd: p.cwd ?? null }] : [];
}

// systemctl show gives ExecStart's argv: with -n rewritten, it is the line to put back in the unit.
function correctedExec(execStart: string, template: string): string[] | null {
  const words = splitShellWords(execStart);
  const args = words ? parseCeleryWorker(words) : null;
  return args ? rewriteWorkerName(args, template) : null;
}
