// Pure: how each selected worker will be stopped, most graceful first, as typed steps. `kill` runs
// them; stale and diagnose print them through the same builder.
import { containerLive } from '../containers/containers.js';
import { isStopped } from '../worker/process-state.js';
import type { Worker } from '../types.js';
import { printable, type RemedyOptions } from './commands.js';
import type { Step } from './steps.js';
import { restarter, supervisedNote } from './supervised.js';
import type { Selection } from './targets.js';

export interface KillAction {
  target: string;
  worker: string | null;
  method: string;
  host: string | null;
  pid: number | null;
  container: string | null;
  steps: Step[];
  commands: string[];
  result: 'planned' | 'stopped' | 'still-running' | 'failed' | 'skipped';
  detail: string | null;
}

export interface PlanOptions extends RemedyOptions {
  graceS: number;
  rm: boolean;
}

export function planKill(selections: Selection[], o: PlanOptions): KillAction[] {
  return selections.map((s) => {
    const base = { target: s.target, worker: s.worker?.name ?? null, host: null, pid: null, container: null, detail: s.problem };
    if (!s.worker) return { ...base, method: 'none', steps: [], commands: [], result: 'skipped' as const };
    const w = s.worker;
    const steps = stopSteps(w, o);
    const sup = w.process ? restarter(w.process) : null;
    const foreign = w.verdict.state === 'foreign' ? `belongs to another broker: ${w.verdict.reasons[0] ?? w.verdict.broker ?? ''}`.replace(/: runs on another broker: /, ': ') : null;
    const note = [foreign, sup ? supervisedNote(sup.s) : null].filter(Boolean).join('; ') || null;
    return {
      ...base,
      method: methodOf(steps),
      host: w.process?.target ?? null,
      pid: w.process?.pid ?? w.pid,
      container: w.container?.name ?? null,
      steps,
      commands: printable(steps, o),
      result: steps.length ? ('planned' as const) : ('skipped' as const),
      detail: steps.length ? note : (note ?? 'no way to reach it: not answering the broker, and no SSH host or Docker engine shows it'),
    };
  });
}

/** Stop one worker, most graceful first; a ghost roster entry is cleaned once verified gone. */
export function stopSteps(w: Worker, o: { graceS: number; rm: boolean }): Step[] {
  const steps: Step[] = [];
  const p = w.process;
  const c = w.container;
  const stopped = p ? isStopped(p.state) : false;
  const sup = p ? restarter(p) : null;
  // A pod's owner starts it again whatever we do here: the plan says so, and does nothing.
  if (sup?.s.kind === 'kubernetes') return [];
  if (p && sup?.s.kind === 'script' && sup.s.parent_pid) steps.push({ kind: 'signal', target: p.target, signal: 'TERM', pids: [sup.s.parent_pid] });
  const through = p && sup?.stop && sup.s.kind !== 'script' ? sup.stop : null;
  // A worker that shuts down through the broker would be restarted under the same name.
  if (w.responsive && !stopped && !through) steps.push({ kind: 'broker-shutdown', name: w.name }, { kind: 'wait-gone', seconds: o.graceS });
  if (p && through) steps.push({ kind: 'supervisor-stop', target: p.target, argv: through, name: w.name }, { kind: 'wait-gone', seconds: o.graceS });
  if (c && containerLive(c)) {
    steps.push({ kind: 'docker-stop', engine: c.engine, id: c.id, name: c.name, seconds: o.graceS });
  } else if (p) {
    // A stopped worker may hold one message in neither its queue nor unacked: continue it first, so
    // TERM's warm shutdown hands that message back instead of KILL losing it.
    if (stopped) steps.push({ kind: 'signal', target: p.target, signal: 'CONT', pids: [p.pid, ...p.children] });
    steps.push({ kind: 'signal', target: p.target, signal: 'TERM', pids: [p.pid] }, { kind: 'wait-gone', seconds: o.graceS });
    steps.push({ kind: 'signal', target: p.target, signal: 'KILL', pids: [p.pid, ...p.children] });
  }
  if (c && o.rm) steps.push({ kind: 'docker-rm', engine: c.engine, id: c.id, name: c.name });
  if (w.verdict.state === 'gone') steps.push({ kind: 'remove-binding', name: w.name });
  return steps;
}

function methodOf(steps: Step[]): string {
  const kinds = steps.map((s) => (s.kind === 'signal' ? `ssh-kill-${s.signal.toLowerCase()}` : s.kind === 'supervisor-stop' ? `${s.argv[0]}-stop` : s.kind)).filter((k) => k !== 'wait-gone');
  return [...new Set(kinds)].join(', ') || 'none';
}
