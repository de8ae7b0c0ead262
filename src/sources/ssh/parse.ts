// One host's probe output as a report: load, memory, disks, and the Celery
// worker main processes with their pool children. Pure: any bytes in, a
// report out, never a throw.
import { brokerEvidence } from '../../model/worker/broker-evidence.js';
import { expandNodeName, parseCeleryWorker, type CeleryWorkerArgs } from '../../model/worker/celery-argv.js';
import { classifySupervisor } from '../../model/worker/supervisor.js';
import type { ProcessRecord } from '../../model/types.js';
import { shellJoin } from '../../util/shell.js';
import { readEvidence, type Evidence } from './evidence.js';
import type { BeatRecord } from '../../model/diagnose/beat.js';
import { findBeats } from './beat.js';
import { readProbeOutput, type Row } from './probe.js';

export interface HostReport {
  /** The ssh target as given. */
  target: string;
  ok: boolean;
  /** One line: why the host could not be read. */
  error: string | null;
  /** The output stopped early: what is listed is true, but something may be missing. */
  partial: boolean;
  hostname: string | null;
  load: [number, number, number] | null;
  memory: { total_kb: number; available_kb: number } | null;
  disks: { mount: string; use_pct: number; avail_kb: number }[];
  processes: ProcessRecord[];
  /** celery beat schedulers running on the host. */
  beats?: BeatRecord[];
  warnings: string[];
}

export function failedReport(target: string, error: string): HostReport {
  return { target, ok: false, error, partial: false, hostname: null, load: null, memory: null, disks: [], processes: [], warnings: [] };
}

export function parseProbe(target: string, output: Uint8Array | string): HostReport {
  try {
    const probe = readProbeOutput(output);
    if (!probe.found) return failedReport(target, 'the probe printed nothing readable');
    const hostname = probe.sections.get('hostname')?.[0]?.trim() || null;
    const warnings: string[] = [];
    if (!hostname) warnings.push('the host did not say its name; %h is left empty');
    if (probe.ps === 'missing') warnings.push('ps not found; Celery processes were read from /proc');
    else if (probe.ps !== 'ok') warnings.push(`ps failed (exit ${probe.ps}); Celery processes were read from /proc`);
    const facts: Facts = { evidence: readEvidence(probe.evidence, probe.complete), rows: new Map(probe.rows.map((r) => [r.pid, r])), hostname: hostname ?? '' };
    const processes = findWorkers(probe.rows, hostname ?? '', warnings).map((w) => record(target, hostname ?? target, w, facts));
    return {
      target, ok: true, error: null, partial: !probe.complete, hostname,
      load: readLoad(probe.sections.get('loadavg')?.[0]),
      memory: readMemory(probe.sections.get('meminfo') ?? []),
      disks: readDisks(probe.sections.get('df') ?? []),
      processes, warnings, beats: findBeats(probe.rows, target, hostname ?? target),
    };
  } catch (err) {
    return failedReport(target, `could not read the probe output: ${String((err as Error)?.message ?? err)}`);
  }
}

interface Found {
  row: Row;
  /** null for a pool process known only by its process title. */
  worker: { argv: string[]; args: CeleryWorkerArgs; name: string } | null;
  children: number[];
}

// With python's setproctitle, argv becomes `[celeryd: NAME:MainProcess] -active- (ARGS)`
// for the main process and `[celeryd: NAME:ForkPoolWorker-1]` for a pool child.
// Read with indexOf, not a regex: a hostile title must stay linear.
function readTitle(argv: string[]): { name: string; main: boolean; args: string[] } | null {
  const title = argv.join(' ');
  const close = title.indexOf(']');
  if (!title.startsWith('[celeryd: ') || close < 0) return null;
  const head = title.slice(10, close);
  const colon = head.lastIndexOf(':');
  if (colon < 0) return null;
  const rest = title.slice(close + 1);
  const open = rest.indexOf('(');
  const end = rest.lastIndexOf(')');
  const args = open < 0 ? '' : rest.slice(open + 1, end > open ? end : undefined);
  return { name: head.slice(0, colon), main: head.slice(colon + 1) === 'MainProcess', args: args.split(/\s+/).filter((w) => w !== '') };
}

function identify(row: Row, hostname: string): Found | null {
  if (!row.argv.some((w) => w.includes('celery'))) return null;
  const title = readTitle(row.argv);
  if (title) {
    if (!title.main) return { row, worker: null, children: [] };
    // Celery titles `(ARGS)` without the program name; with no ARGS, a bare `celery worker`.
    const given = ['celery', ...title.args];
    const argv = parseCeleryWorker(given) ? given : ['celery', 'worker'];
    const args = parseCeleryWorker(argv);
    return args ? { row, worker: { argv, args, name: title.name }, children: [] } : null;
  }
  const args = parseCeleryWorker(row.argv);
  return args ? { row, worker: { argv: row.argv, args, name: expandNodeName(args.hostname, hostname) }, children: [] } : null;
}

/**
 * Worker main processes, each with its pool children: a prefork child has its
 * parent's exact argv. A wrapper (`sh -c "celery worker …"`) whose child runs
 * the same worker under another argv gives way to that child.
 */
function findWorkers(rows: Row[], hostname: string, warnings: string[]): Found[] {
  const found = new Map<number, Found>();
  for (const row of rows) {
    const f = identify(row, hostname);
    if (f) found.set(row.pid, f);
  }
  const key = (f: Found) => f.worker?.argv.join('\0');
  const parentOf = (f: Found) => found.get(f.row.ppid);
  const isChild = (f: Found) => {
    const p = parentOf(f);
    return p?.worker != null && p.row.pid !== f.row.pid && (f.worker === null || key(p) === key(f));
  };
  const wrappers = new Set<number>();
  for (const f of found.values()) {
    const p = parentOf(f);
    if (f.worker && p?.worker && !isChild(f) && p.worker.name === f.worker.name) wrappers.add(p.row.pid);
  }
  const mains = [...found.values()].filter((f) => f.worker && !isChild(f) && !wrappers.has(f.row.pid));
  for (const f of found.values()) if (isChild(f)) parentOf(f)!.children.push(f.row.pid);
  if (mains.some((f) => readTitle(f.row.argv))) {
    warnings.push('some workers show a process title, not their argv; their start lines are rebuilt from it');
  }
  return mains.sort((a, b) => (a.worker!.name < b.worker!.name ? -1 : a.worker!.name > b.worker!.name ? 1 : a.row.pid - b.row.pid));
}

interface Facts {
  evidence: Evidence;
  rows: Map<number, Row>;
  hostname: string;
}

function record(target: string, host: string, f: Found, facts: Facts): ProcessRecord {
  const w = f.worker!;
  const { env, cgroup, connections, netns } = facts.evidence.of(f.row.pid);
  const supervisor = classifySupervisor({
    env, cgroup, hostname: facts.hostname, pid: f.row.pid, ancestors: ancestors(f.row, facts.rows),
    units: facts.evidence.units, autorestart: facts.evidence.autorestart,
  });
  return {
    target, host, pid: f.row.pid, ppid: f.row.ppid, state: f.row.stat.slice(0, 1), elapsed_s: f.row.elapsed_s,
    rss_kb: f.row.rss_kb, children: f.children.sort((a, b) => a - b), command: shellJoin(w.argv), argv: w.argv,
    worker_name: w.name, queues: w.args.queues, concurrency: w.args.concurrency, cwd: f.row.cwd,
    // The raw argv holds -b; a rebuilt process title may not, so read both.
    ...brokerEvidence(f.row.argv.length > 0 && parseCeleryWorker(f.row.argv) ? f.row.argv : w.argv, env),
    connections, netns, cgroup, supervisor,
  };
}

// Nearest first, at most 8 up, stopping at a pid seen twice (garbage ps output).
function ancestors(row: Row, rows: Map<number, Row>): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  const seen = new Set([row.pid]);
  for (let p = rows.get(row.ppid); p && !seen.has(p.pid) && out.length < 8; p = rows.get(p.ppid)) {
    seen.add(p.pid);
    out.push({ pid: p.pid, argv: p.argv });
  }
  return out;
}

function readLoad(line: string | undefined): HostReport['load'] {
  const m = /^\s*(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)(?:\s|$)/.exec(line ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

function readMemory(lines: string[]): HostReport['memory'] {
  const kb = (key: string) => {
    for (const l of lines) {
      const m = /^(\w+):\s+(\d+)\s*kB\s*$/.exec(l);
      if (m && m[1] === key) return Number(m[2]);
    }
    return null;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return total !== null && available !== null ? { total_kb: total, available_kb: available } : null;
}

// `df -P -k`: the mount point comes last and may hold spaces; size-0 rows are pseudo filesystems.
function readDisks(lines: string[]): HostReport['disks'] {
  const disks: HostReport['disks'] = [];
  for (const line of lines) {
    const m = /^\S.*?\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(\/.*)$/.exec(line);
    if (m && Number(m[1]) > 0) disks.push({ mount: m[5], use_pct: Number(m[4]), avail_kb: Number(m[3]) });
  }
  return disks;
}
