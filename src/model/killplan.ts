// Pure: how each selected worker will be stopped, most graceful first, as data and as printable commands.
import { shellJoin, shellQuote } from '../util/shell.js';
import { containerLive, DEFAULT_DOCKER_ENDPOINT } from './containers.js';
import { sshWhere } from './fixguide.js';
import type { Selection } from './select.js';
import type { Worker } from './types.js';

export type Step =
  | { kind: 'broker-shutdown'; name: string }
  | { kind: 'wait-gone'; seconds: number }
  | { kind: 'signal'; target: string; signal: 'TERM' | 'KILL'; pids: number[] }
  | { kind: 'docker-stop'; engine: string; id: string; name: string; seconds: number }
  | { kind: 'docker-rm'; engine: string; id: string; name: string }
  | { kind: 'remove-binding'; name: string };

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

export interface PlanOptions {
  graceS: number;
  rm: boolean;
  /** The broker URL as printed (password masked). */
  brokerDisplay: string;
  /** Names whose roster entry is a ghost (state gone): clean the binding. */
  gone: Set<string>;
  /** --ssh-config, so printed ssh commands reach the host the same way. */
  sshConfig?: string | null;
}

export function planKill(selections: Selection[], o: PlanOptions): KillAction[] {
  return selections.map((s) => {
    const base = { target: s.target, worker: s.worker?.name ?? null, host: null, pid: null, container: null, detail: s.problem };
    if (!s.worker) return { ...base, method: 'none', steps: [], commands: [], result: 'skipped' as const };
    const steps = stepsFor(s.worker, o);
    const w = s.worker;
    return {
      ...base,
      method: methodOf(steps),
      host: w.process?.target ?? null,
      pid: w.process?.pid ?? w.pid,
      container: w.container?.name ?? null,
      steps,
      commands: steps.flatMap((st) => printable(st, o)),
      result: steps.length ? ('planned' as const) : ('skipped' as const),
      detail: steps.length ? null : 'no way to reach it: not answering the broker, and no SSH host or Docker engine shows it',
    };
  });
}

function stepsFor(w: Worker, o: PlanOptions): Step[] {
  const steps: Step[] = [];
  const p = w.process;
  const c = w.container;
  const stopped = p?.state === 'T';
  if (w.responsive && !stopped) steps.push({ kind: 'broker-shutdown', name: w.name }, { kind: 'wait-gone', seconds: o.graceS });
  if (c && containerLive(c)) {
    steps.push({ kind: 'docker-stop', engine: c.engine, id: c.id, name: c.name, seconds: o.graceS });
  } else if (p) {
    const pids = [p.pid, ...p.children];
    // TERM stays pending on a stopped process: KILL at once.
    if (!stopped) steps.push({ kind: 'signal', target: p.target, signal: 'TERM', pids: [p.pid] }, { kind: 'wait-gone', seconds: o.graceS });
    steps.push({ kind: 'signal', target: p.target, signal: 'KILL', pids });
  }
  if (c && o.rm) steps.push({ kind: 'docker-rm', engine: c.engine, id: c.id, name: c.name });
  if (o.gone.has(w.name) && !w.responsive && !p && !(c && c.status === 'running')) steps.push({ kind: 'remove-binding', name: w.name });
  return steps;
}

function methodOf(steps: Step[]): string {
  const kinds = steps.map((s) => (s.kind === 'signal' ? `ssh-kill-${s.signal.toLowerCase()}` : s.kind)).filter((k) => k !== 'wait-gone');
  return [...new Set(kinds)].join(', ') || 'none';
}

/** Where to type a step and what: the grouped form that stale and diagnose print. */
export function remedy(s: Step, o: PlanOptions): { where: string; command: string } | null {
  switch (s.kind) {
    case 'broker-shutdown':
      return { where: 'here', command: shellJoin(['celery', '-b', o.brokerDisplay, 'control', 'shutdown', '-d', s.name]) };
    case 'wait-gone':
      return null;
    case 'signal':
      return { where: sshWhere(s.target, o.sshConfig ?? null), command: `kill -${s.signal} ${s.pids.join(' ')}` };
    case 'docker-stop':
      return { where: `docker ${s.engine}`, command: `${dockerCli(s.engine)} stop -t ${s.seconds} ${shellQuote(s.name)}` };
    case 'docker-rm':
      return { where: `docker ${s.engine}`, command: `${dockerCli(s.engine)} rm ${shellQuote(s.name)}` };
    case 'remove-binding':
      return { where: 'here', command: `redis-cli -u ${shellQuote(o.brokerDisplay)} SREM _kombu.binding.celery.pidbox ${bindingMember(s.name)}` };
  }
}

/** What an engineer would type locally for each step. Fleet-supplied values are shell-quoted. */
export function printable(s: Step, o: PlanOptions): string[] {
  const r = remedy(s, o);
  if (!r) return [];
  return [r.where.startsWith('ssh ') ? `${r.where} ${r.command}` : r.command];
}

function dockerCli(engine: string): string {
  return engine === DEFAULT_DOCKER_ENDPOINT ? 'docker' : `docker -H ${shellQuote(engine)}`;
}

/** The roster member in bash's $'…' form, since it holds the \x06\x16 separator bytes. */
export function bindingMember(name: string): string {
  const escaped = `${name}.celery.pidbox`
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/[\x00-\x1f\x7f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `$'\\x06\\x16\\x06\\x16${escaped}'`;
}
