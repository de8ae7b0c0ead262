// Pure: findings per check for `diagnose`. Each finding is one sentence about one subject,
// with the commands to type grouped by where to type them.
import { cleanText } from '../../util/text.js';
import { finding, type Finding } from './finding.js';
import { containerFindings } from '../containers/containers.js';
import type { RestartCause } from '../containers/restart-cause.js';
import { explainRestart, type CauseContext } from '../containers/restart-fix.js';
import type { QueueRow } from '../queues.js';
import { remedies, type RemedyOptions } from '../remedy/commands.js';
import { fixSteps } from '../remedy/fixguide.js';
import type { StaleRow } from '../stale-rows.js';
import type { ContainerRecord, Severity, Worker } from '../types.js';


export function versionFindings(workers: Worker[], server: string | null, o: RemedyOptions): Finding[] {
  return workers
    // Container-backed workers are covered by stray-containers, with the docker commands; a worker of
    // another broker, or one whose silence has no evidence behind it, gets no remedy from us.
    .filter((w) => !w.compatible && !w.container && !w.duplicate_of && w.verdict.actionable && w.verdict.state !== 'gone')
    .map((w) => {
      const rel = w.drift === 'behind' ? 'behind' : w.drift === 'ahead' ? 'ahead of' : 'not';
      const what = w.status === 'unversioned' ? 'has no version tag in its name' : `runs ${w.version}, ${rel} the server's ${server ?? 'version'}`;
      const eats = w.queues.length ? ` and consumes ${w.queues.join(', ')}` : ' and consumes no queue';
      const remediation = w.process
        ? remedies(fixSteps(w.process, { serverVersion: server, hung: !w.responsive }), o)
        : remedies([{ kind: 'fleetdoc-kill', names: [w.name] }], o);
      return finding('worker-versions', w.verdict.severity, w.name, `${w.name} ${what}${eats}`, remediation, workerEvidence(w));
    });
}

export function queueFindings(rows: QueueRow[], o: RemedyOptions): Finding[] {
  return rows.filter((q) => !q.healthy).map((q) => {
    const thieves = q.consumers.incompatible;
    const remediation = thieves.length ? remedies([{ kind: 'fleetdoc-kill', names: thieves }], o) : [];
    const evidence = [`messages ${q.messages}, unacked ${q.unacked}`, `consumers: compatible ${q.consumers.compatible.join(', ') || '-'}; incompatible ${thieves.join(', ') || '-'}; unresponsive ${q.consumers.unresponsive.join(', ') || '-'}`];
    return finding('queue-health', q.severity, q.name, `queue ${q.name}: ${q.problems.join('; ')}`, remediation, evidence);
  });
}

export function staleFindings(rows: StaleRow[]): Finding[] {
  // A worker of another broker is fine here: it is counted in the check's evidence, not a finding.
  return rows.filter((r) => r.state !== 'healthy' && r.state !== 'foreign').map((r) => {
    // The first two reasons say what and why ("no ping reply", "process 29 is stopped (T)"); the rest is evidence.
    const head = r.reasons.slice(0, 2);
    return finding('stale-workers', r.severity, r.name, `${r.name} is ${r.state}${head.length ? `: ${head.join('; ')}` : ''}`, r.remediation, r.reasons.slice(2));
  });
}

export interface ContainerCheckInput {
  /** Log tails for the restart cause, by container id (read even without --logs). */
  tails?: Record<string, string[]>;
  broker?: CauseContext['broker'];
  remedy?: RemedyOptions;
}

export function containerCheckFindings(containers: ContainerRecord[], server: string | null, logs: Record<string, string[]>, more: ContainerCheckInput = {}): Finding[] {
  const check = { 'restart-loop': 'restart-loops', oom: 'restart-loops', exited: 'restart-loops', stray: 'stray-containers', 'label-mismatch': 'image-labels' } as const;
  return containers.flatMap((c) => containerFindings(c, server).map((f) => {
    const shown = (logs[c.id] ?? []).map((l) => `log: ${cleanText(l)}`);
    const evidence = [`${c.engine}: ${c.id.slice(0, 12)} ${c.image} ${c.status}, restarts ${c.restart_count}, exit ${c.exit_code ?? '-'}${c.oom_killed ? ', OOMKilled' : ''}`, ...shown];
    if (check[f.kind] !== 'restart-loops') return finding(check[f.kind], f.severity, c.name, f.message, f.remediation, evidence);
    // The cause comes from the tail; lines --logs already shows are not repeated.
    const why = explainRestart(c, more.tails?.[c.id] ?? logs[c.id] ?? null, { broker: more.broker, remedy: more.remedy });
    const extra = shown.length ? why.evidence.filter((e) => !e.startsWith('log: ')) : why.evidence;
    return {
      ...finding('restart-loops', f.severity, c.name, `${f.message}: ${why.explanation}`, [...why.remediation, ...f.remediation], [...evidence, ...extra]),
      cause: why.cause,
      cause_evidence: why.cause_evidence,
    };
  }));
}


function workerEvidence(w: Worker): string[] {
  const out = [`broker: ${w.responsive ? `answers, pid ${w.pid ?? '?'}, queues ${w.queues.join(',') || '-'}` : w.in_roster ? 'in the roster, no reply' : 'not known'}`];
  if (w.process) out.push(`ps on ${w.process.host}: ${w.process.pid} ${w.process.state} ${w.process.command}`);
  if (w.broker) out.push(`connected to ${w.broker.hostname ?? '?'}:${w.broker.port ?? '?'}/${w.broker.virtual_host ?? '?'}`);
  if (!w.responsive && w.verdict.broker_match !== 'unknown') out.push(`broker: ${w.verdict.broker_match}${w.verdict.broker ? ` (${w.verdict.broker})` : ''}`);
  return out;
}

export { finding, type Finding } from './finding.js';
