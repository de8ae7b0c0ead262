// Pure: task outcomes per worker from the task-* events heard, and the task-failures check.
// Only workers started with -E (or given enable_events) send task events: silence is not success.
import type { TaskOutcomes } from '../verdict/evidence.js';
import { finding, type Finding } from './finding.js';
import { remedies, type RemedyOptions } from '../remedy/commands.js';
import type { Worker } from '../types.js';
import { WORKER_SHORT } from '../worker/celery-options.js';

/** A worker failing at least this share of at least MIN_TASKS finished tasks is flagged. */
export const FAILURE_SHARE = 0.5;
export const MIN_TASKS = 4;

export interface TaskStats {
  /** null: no task event heard from this worker (not listened, idle, or started without -E). */
  tasks: TaskOutcomes | null;
  /** failed / (succeeded + failed); null when none finished. */
  failure_rate: number | null;
}

export function taskStats(tasks: Map<string, TaskOutcomes>, name: string): TaskStats {
  const t = tasks.get(name) ?? null;
  if (!t) return { tasks: null, failure_rate: null };
  const done = t.succeeded + t.failed;
  return { tasks: { ...t }, failure_rate: done ? Math.round((t.failed / done) * 1000) / 1000 : null };
}

/** true: its command line has -E/--task-events; false: it has a known command line without; null: unknown. */
export function sendsTaskEvents(w: Worker): boolean | null {
  const argv = w.process?.argv ?? w.container?.command ?? null;
  if (!argv) return null;
  const at = argv.indexOf('worker');
  const words = at < 0 ? argv : argv.slice(at + 1);
  return words.some((word) => word === '--task-events' || word === '--events' || shortClusterHasE(word));
}

// `-E`, `-BE`, `-Ec4`; a value-taking letter ends the cluster (`-lERROR` is a log level, not -E).
function shortClusterHasE(word: string): boolean {
  if (!/^-[A-Za-z]/.test(word)) return false;
  for (const ch of word.slice(1)) {
    if (ch === 'E') return true;
    if (WORKER_SHORT.has(ch)) return false;
  }
  return false;
}

export function taskFailureFindings(workers: Worker[], tasks: Map<string, TaskOutcomes>, windowS: number, o: RemedyOptions): Finding[] {
  const out: Finding[] = [];
  for (const w of workers) {
    if (w.duplicate_of) continue;
    const t = tasks.get(w.name);
    if (!t) continue;
    const done = t.succeeded + t.failed;
    if (done < MIN_TASKS || t.failed / done < FAILURE_SHARE) continue;
    // Old code failing new tasks is the worst case: it keeps taking them.
    const severity = w.compatible ? 'warning' : 'critical';
    const why = w.compatible ? '' : ` and runs ${w.version ? `release ${w.version}` : 'no tagged release'}, not the server's`;
    const fix = !w.compatible && w.verdict.actionable ? remedies([{ kind: 'fleetdoc-kill', names: [w.name] }], o) : [];
    out.push(finding('task-failures', severity, w.name,
      `${w.name} failed ${t.failed} of ${done} tasks in the last ${Math.round(windowS)} s${why}`, fix,
      [`succeeded ${t.succeeded}, failed ${t.failed}, retried ${t.retried}, rejected ${t.rejected}`]));
  }
  return out;
}

/** What the check looked at: who sent task events, and who cannot (no -E). */
export function taskEvidence(workers: Worker[], tasks: Map<string, TaskOutcomes>, windowS: number): string[] {
  if (windowS <= 0) return ['not listened (--listen 0): task outcomes unknown'];
  const live = workers.filter((w) => !w.duplicate_of && w.responsive);
  const heard = live.filter((w) => tasks.has(w.name));
  const silent = live.filter((w) => !tasks.has(w.name));
  const noE = silent.filter((w) => sendsTaskEvents(w) === false);
  const out = [`listened ${Math.round(windowS * 10) / 10} s: ${heard.length} of ${live.length} responsive workers sent task events`];
  if (noE.length) out.push(`started without -E, so they send no task events (their failures cannot be seen): ${noE.map((w) => w.name).join(', ')}`);
  const quiet = silent.filter((w) => sendsTaskEvents(w) !== false);
  if (quiet.length) out.push(`no task events from ${quiet.map((w) => w.name).join(', ')}: idle, or started without -E`);
  return out;
}
