// `fleetdoc queues`: table rows, summary and the JSON document.
import { oneLine } from '../util/text.js';
import type { QueueRow } from '../model/queues.js';
import { duration, paintSeverity, type Style } from './style.js';
import { renderTable } from './table.js';

export function queuesTable(rows: QueueRow[], style: Style, tty: boolean): string {
  const list = (names: string[]) => names.map(oneLine).join(',') || '-';
  const body = rows.map((r) => [
    paintSeverity(style, r.severity, oneLine(r.name)),
    String(r.messages),
    String(r.unacked),
    duration(r.oldest_unacked_age_s),
    list(r.consumers.compatible),
    r.consumers.incompatible.length ? style.c.red(list(r.consumers.incompatible)) : '-',
    r.consumers.unresponsive.length ? style.c.red(list(r.consumers.unresponsive)) : '-',
    paintSeverity(style, r.severity, health(r)),
  ]);
  const head = ['QUEUE', 'MESSAGES', 'UNACKED', 'OLDEST', 'COMPATIBLE', 'INCOMPATIBLE', 'UNRESPONSIVE', 'HEALTH'];
  return renderTable({ head, rows: body, tty });
}

// The first problem in full; the rest are counted here and listed in --json.
function health(r: QueueRow): string {
  if (r.healthy) return r.idle ? 'idle' : 'ok';
  const more = r.problems.length > 1 ? ` (+${r.problems.length - 1} more)` : '';
  return `${r.severity}: ${oneLine(r.problems[0])}${more}`;
}

export function queuesSummary(rows: QueueRow[]): string {
  const count = (s: string) => rows.filter((r) => r.severity === s).length;
  return `${rows.length} queues: ${count('critical')} critical, ${count('warning')} warning, ${rows.filter((r) => r.healthy).length} healthy\n`;
}

export function queuesJson(serverVersion: string | null, rows: QueueRow[]): unknown {
  return { server_version: serverVersion, queues: rows };
}
