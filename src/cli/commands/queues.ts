// `fleetdoc queues`: depth, unacked tasks and consumers per queue, and which queues are at risk.
import { withBroker } from '../../gather/broker.js';
import { gatherEvidence } from '../../gather/evidence.js';
import { queueRow, type QueueRow } from '../../model/queues.js';
import { exitCodeFor, SEVERITY_ORDER, worst } from '../../model/severity.js';
import { renderJson } from '../../render/json.js';
import { queuesJson, queuesSummary, queuesTable } from '../../render/queues.js';
import { makeStyle } from '../../render/style.js';
import { compareText } from '../../util/text.js';
import type { Context } from '../context.js';
import { queuePolicy } from '../settings/options.js';
import type { Settings } from '../settings/settings.js';

export interface QueuesOptions {
  queue?: string[];
  minWorkers?: string[];
  unackedAge?: string;
}

export async function runQueues(ctx: Context, settings: Settings, opts: QueuesOptions): Promise<number> {
  const policy = queuePolicy(settings, opts.minWorkers ?? [], opts.unackedAge, ctx.now() / 1000);
  const ev = await withBroker(ctx, settings, (broker) => gatherEvidence(ctx, settings, broker, { queues: true, extraQueues: opts.queue }));
  const rows = sortRows(ev.queues.map((f) => queueRow(f, ev.fleet.workers, policy)));
  if (settings.json) {
    ctx.stdout.write(renderJson(queuesJson(ev.fleet.serverVersion, rows)));
  } else {
    const tty = Boolean(ctx.stdout.isTTY);
    if (rows.length) ctx.stdout.write(queuesTable(rows, makeStyle(settings.color, ctx.env), tty));
    (tty ? ctx.stdout : ctx.stderr).write(queuesSummary(rows));
  }
  return exitCodeFor(worst(rows.map((r) => r.severity)));
}

function sortRows(rows: QueueRow[]): QueueRow[] {
  return rows.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || compareText(a.name, b.name));
}
