// `fleetdoc queues`: depth, in-flight tasks and consumers per queue, and which queues are at risk.
import { UsageError } from '../../errors.js';
import { DEFAULT_UNACKED_AGE_S, parseMinWorkers, queueRow, type QueueRow } from '../../model/queues.js';
import { exitCodeFor, worst } from '../../model/verdict.js';
import { renderJson } from '../../render/json.js';
import { queuesJson, queuesTable, queuesSummary } from '../../render/queues.js';
import { makeStyle } from '../../render/style.js';
import { parseDuration } from '../../util/duration.js';
import type { Context } from '../context.js';
import { collect } from '../collect.js';
import { withBroker } from '../fleet.js';
import type { Settings } from '../settings.js';

export interface QueuesOptions {
  queue?: string[];
  minWorkers?: string[];
  unackedAge?: string;
}

export async function runQueues(ctx: Context, settings: Settings, opts: QueuesOptions): Promise<number> {
  const min = parseMinWorkers([...minFromConfig(settings), ...(opts.minWorkers ?? [])]);
  if (typeof min === 'string') throw new UsageError(min);
  const unackedAgeS = opts.unackedAge === undefined ? DEFAULT_UNACKED_AGE_S : parseDuration(opts.unackedAge);
  if (unackedAgeS === null) throw new UsageError(`--unacked-age ${JSON.stringify(opts.unackedAge)} must be a duration such as 600, 90s, 10m or 1h`);

  const { serverVersion, rows } = await withBroker(settings, async (conn) => {
    const c = await collect(ctx, settings, conn, { queues: true, extraQueues: opts.queue });
    const policy = { ...min, unackedAgeS, nowS: ctx.now() / 1000 };
    return { serverVersion: c.fleet.serverVersion, rows: sortRows(c.queues.map((f) => queueRow(f, c.fleet.workers, policy))) };
  });

  if (settings.json) {
    ctx.stdout.write(renderJson(queuesJson(serverVersion, rows)));
  } else {
    const tty = Boolean(ctx.stdout.isTTY);
    if (rows.length) ctx.stdout.write(queuesTable(rows, makeStyle(settings.color, ctx.env), tty));
    (tty ? ctx.stdout : ctx.stderr).write(queuesSummary(rows));
  }
  return exitCodeFor(worst(rows.map((r) => r.severity)));
}

function minFromConfig(settings: Settings): string[] {
  const m = settings.config.min_workers;
  if (m === undefined) return [];
  if (typeof m === 'number') return [String(m)];
  return Object.entries(m).map(([q, n]) => `${q}=${n}`);
}

function sortRows(rows: QueueRow[]): QueueRow[] {
  const rank = { critical: 0, unknown: 1, warning: 2, ok: 3 };
  return rows.sort((a, b) => rank[a.severity] - rank[b.severity] || a.name.localeCompare(b.name));
}
