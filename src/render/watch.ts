// `fleetdoc watch` frames: a screen that redraws in place (cursor home, each line cleared to its
// end, the rest of the screen cleared), with marks for what changed; or one NDJSON line per refresh.
import type { Changes, WatchQueue, WatchSnapshot, WatchWorker } from '../model/watch.js';
import { duration } from './style.js';
import { oneLine } from '../util/text.js';

export type WatchView = 'workers' | 'queues' | 'stale';
export const VIEWS: WatchView[] = ['workers', 'queues', 'stale'];

export interface FrameOptions {
  view: WatchView;
  intervalS: number;
  width: number;
  height: number;
  /** Warnings of this refresh: on screen, since stderr would scribble over the frame. */
  notes: string[];
}

// Fleet text may carry escapes, C1 controls, bidi overrides or invisible characters that would move
// the cursor, reorder the line or make two names look alike: escaped as everywhere else.
const clean = (s: string) => oneLine(s).replace(/\t/g, ' ');

export function watchFrame(s: WatchSnapshot, ch: Changes, o: FrameOptions): string[] {
  const time = new Date(s.at * 1000).toISOString().slice(11, 19);
  const lines = [
    `fleetdoc watch  ${s.broker}  server ${s.server_version ?? '?'}  refresh ${s.refresh} at ${time} UTC, every ${o.intervalS}s  view ${o.view}  (q quits)`,
    `${summary(s)}; status ${s.status}`,
    changeLine(ch),
    '',
  ];
  if (o.view === 'queues') lines.push(...table(['', 'QUEUE', 'MESSAGES', 'UNACKED', 'OLDEST', 'CONSUMERS c/i/u', 'HEALTH'], s.queues.map((q) => queueRow(q, ch))));
  else {
    const rows = o.view === 'stale' ? s.workers.filter((w) => w.state !== 'healthy') : s.workers;
    const body = rows.map((w) => workerRow(w, ch, o.view === 'stale'));
    for (const name of ch.gone) body.push(['-', name, 'gone from the broker', '', '', '', '', '']);
    const head = o.view === 'stale' ? ['', 'NAME', 'STATE', 'HEARTBEAT', 'WHY', '', '', ''] : ['', 'NAME', 'STATE', 'STATUS', 'VERSION', 'HEARTBEAT', 'TASKS ok/failed', 'QUEUES'];
    lines.push(...table(head, body));
    if (!body.length) lines.push(o.view === 'stale' ? 'every worker is healthy' : 'no workers');
  }
  if (o.notes.length) lines.push('', ...o.notes.map((n) => `note: ${n}`));
  // Never more lines than the screen has, never wider: a wrapped or extra line would scroll.
  const fit = lines.slice(0, Math.max(1, o.height - 1)).map((l) => [...clean(l)].slice(0, Math.max(10, o.width - 1)).join(''));
  return fit;
}

/** The bytes that draw a frame over the previous one: home, lines each cleared to the end, rest cleared. */
export function drawFrame(lines: string[]): string {
  return `\x1b[H${lines.map((l) => `${l}\x1b[K`).join('\n')}\n\x1b[J`;
}

export const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
export const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';

export function watchJson(s: WatchSnapshot, ch: Changes, view: WatchView): unknown {
  return { ...s, view, changes: ch };
}

function summary(s: WatchSnapshot): string {
  const count = (st: string) => s.workers.filter((w) => w.state === st).length;
  const busy = s.queues.filter((q) => q.messages > 0).length;
  return `${s.workers.length} workers: ${count('healthy')} healthy, ${count('degraded')} degraded, ${count('unresponsive')} unresponsive, ${count('stale')} stale, ${count('gone')} gone; ${s.queues.length} queues, ${busy} with messages`;
}

function changeLine(ch: Changes): string {
  const parts = [
    ...ch.appeared.map((n) => `+ ${n} appeared`),
    ...ch.gone.map((n) => `- ${n} went`),
    ...ch.changed.map((c) => `~ ${c.name} ${c.from} -> ${c.to}`),
    ...ch.rising.map((q) => `^ ${q.name} ${q.from} -> ${q.to}`),
    ...ch.falling.map((q) => `v ${q.name} ${q.from} -> ${q.to}`),
  ];
  return parts.length ? `changed: ${parts.join(', ')}` : 'no change since the last refresh';
}

function workerRow(w: WatchWorker, ch: Changes, stale: boolean): string[] {
  const was = ch.changed.find((c) => c.name === w.name);
  const mark = ch.appeared.includes(w.name) ? '+' : was ? '~' : '';
  const hb = w.last_heartbeat_age_s === null ? '-' : `${duration(w.last_heartbeat_age_s)} ago`;
  const state = was ? `${w.state} (was ${was.from.split('/')[0]})` : w.state;
  if (stale) return [mark, w.name, state, hb, w.reasons[0] ?? '', '', '', ''];
  const tasks = w.tasks ? `${w.tasks.succeeded}/${w.tasks.failed}` : '-';
  return [mark, w.name, state, w.status, w.version ?? '-', hb, tasks, w.queues.join(',') || '-'];
}

function queueRow(q: WatchQueue, ch: Changes): string[] {
  const mark = ch.rising.some((r) => r.name === q.name) ? '^' : ch.falling.some((r) => r.name === q.name) ? 'v' : '';
  const health = q.severity === 'ok' ? 'ok' : `${q.severity}: ${q.problems[0] ?? ''}`;
  return [mark, q.name, String(q.messages), String(q.unacked), duration(q.oldest_unacked_age_s), `${q.consumers.compatible}/${q.consumers.incompatible}/${q.consumers.unresponsive}`, health];
}

function table(head: string[], rows: string[][]): string[] {
  const all = [head, ...rows].map((r) => r.map(clean));
  const widths = head.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
}
