// `fleetdoc workers`: rows, summary line and the JSON document.
import { oneLine } from '../util/text.js';
import type { ContainerRecord, ProcessRecord, Worker } from '../model/types.js';
import { redactUrls } from '../util/redact.js';
import { duration, paintSeverity, type Style } from './style.js';
import { renderTable } from './table.js';

export interface WorkersReport {
  server_version: string | null;
  workers: Worker[];
  summary: { total: number; compatible: number; unversioned: number; mismatched: number; unresponsive: number; foreign: number };
}

export function summarize(workers: Worker[]): WorkersReport['summary'] {
  return {
    total: workers.length,
    compatible: workers.filter((w) => w.status === 'compatible').length,
    unversioned: workers.filter((w) => w.status === 'unversioned').length,
    mismatched: workers.filter((w) => w.status === 'mismatched').length,
    // A worker of another broker is not this broker's unresponsive worker.
    unresponsive: workers.filter((w) => !w.responsive && w.verdict.state !== 'foreign').length,
    foreign: workers.filter((w) => w.verdict.state === 'foreign').length,
  };
}

export function workersTable(report: WorkersReport, style: Style, tty: boolean): string {
  const rows = report.workers.map((w) => {
    const sev = w.verdict.severity;
    const status = w.drift ? `${w.status} (${w.drift})` : w.status;
    return [
      paintSeverity(style, sev, oneLine(w.name)),
      oneLine(w.version ?? '-'),
      paintSeverity(style, w.compatible ? 'ok' : sev, status),
      oneLine(w.queues.join(',') || '-'),
      w.pid === null ? '-' : String(w.pid),
      w.concurrency === null ? '-' : String(w.concurrency),
      duration(w.uptime_s),
      w.responsive ? 'yes' : w.verdict.state === 'foreign' ? 'foreign' : style.c.red('no'),
    ];
  });
  const head = ['NAME', 'VERSION', 'STATUS', 'QUEUES', 'PID', 'CONC', 'UPTIME', 'RESPONSIVE'];
  return renderTable({ head, rows, tty });
}

export function summaryLine(report: WorkersReport): string {
  const s = report.summary;
  const server = report.server_version ?? 'unknown';
  return `${s.total} workers: ${s.compatible} compatible, ${s.unversioned} unversioned, ${s.mismatched} mismatched, ${s.unresponsive} unresponsive${s.foreign ? `, ${s.foreign} foreign` : ''} (server ${oneLine(server)})\n`;
}

/** The JSON contract: the issue's fields first, extra fields after. */
export function workersJson(report: WorkersReport): unknown {
  return {
    server_version: report.server_version,
    workers: report.workers.map((w) => ({
      name: w.name, basename: w.basename, host: w.host, version: w.version, status: w.status,
      compatible: w.compatible, reason: w.reason, responsive: w.responsive, queues: w.queues,
      pid: w.pid, concurrency: w.concurrency, sources: w.sources,
      drift: w.drift, reason_detail: w.reason_detail, uptime_s: w.uptime_s, children: w.children,
      in_roster: w.in_roster, severity: w.verdict.severity,
      ...(w.container ? { container: containerJson(w.container) } : {}),
      ...(w.process ? { process: processJson(w.process) } : {}),
      duplicate_of: w.duplicate_of,
      unresponsive_reason: w.unresponsive_reason,
      state: w.verdict.state,
      state_reasons: w.verdict.reasons,
      broker: w.verdict.broker,
      broker_match: w.verdict.broker_match,
    })),
    summary: report.summary,
  };
}

export function containerJson(c: ContainerRecord): unknown {
  return {
    engine: c.engine, id: c.id, name: c.name, image: c.image, status: c.status, restart_count: c.restart_count,
    exit_code: c.exit_code, oom_killed: c.oom_killed, started_at: c.started_at,
    compose: c.compose ? { project: c.compose.project, service: c.compose.service } : null,
    finished_at: c.finished_at, hostname: c.hostname, image_version: c.image_version,
    memory_limit: c.memory_limit ?? null, memory_usage: c.memory_usage ?? null, network_mode: c.network_mode ?? null,
    last_exit_code: c.last_exit_code ?? null, oom_events: c.oom_events ?? null,
  };
}

export function processJson(p: ProcessRecord): unknown {
  return {
    host: p.host, pid: p.pid, ppid: p.ppid, state: p.state, elapsed_s: p.elapsed_s, rss_kb: p.rss_kb,
    children: p.children, command: redactUrls(p.command), target: p.target,
    broker_url: p.broker_url ?? null, connections: p.connections ?? null, supervisor: p.supervisor ?? null,
  };
}
