// `celery beat` schedulers among one host's probe rows (every process whose cmdline mentions celery),
// standalone or embedded in a worker started with -B.
import { embeddedBeat, parseCeleryBeat, type BeatRecord } from '../../model/diagnose/beat.js';
import { expandNodeName, parseCeleryWorker } from '../../model/worker/celery-argv.js';
import { redactUrls } from '../../util/redact.js';
import { shellJoin } from '../../util/shell.js';
import type { Row } from './probe.js';

export function findBeats(rows: Row[], target: string, host: string): BeatRecord[] {
  const beats = new Map<number, { row: Row; broker: string | null; embedded: BeatRecord['embedded'] }>();
  for (const row of rows) {
    const found = parseCeleryBeat(row.argv);
    if (found) beats.set(row.pid, { row, broker: found.broker, embedded: null });
    const inWorker = found ? undefined : embeddedBeat(row.argv);
    if (inWorker) {
      const worker = expandNodeName(parseCeleryWorker(row.argv)?.hostname ?? null, host);
      beats.set(row.pid, { row, broker: inWorker.broker, embedded: { worker, restart: inWorker.restart, cwd: row.cwd } });
    }
  }
  // A wrapper (`sh -c "celery beat"`) or a forked copy with the same argv is the same scheduler.
  const same = (a: Row, b: Row) => a.argv.join('\0') === b.argv.join('\0');
  const out: BeatRecord[] = [];
  for (const { row, broker, embedded } of beats.values()) {
    const parent = beats.get(row.ppid);
    if (parent && same(parent.row, row)) continue;
    if ([...beats.values()].some((c) => c.row.ppid === row.pid && !same(c.row, row))) continue;
    out.push({
      source: 'ssh', target, host, pid: row.pid, container: null, command: redactUrls(shellJoin(row.argv)),
      broker_url: broker, broker_from: broker ? 'argv' : null, elapsed_s: row.elapsed_s, embedded,
    });
  }
  return out.sort((a, b) => a.pid - b.pid);
}
