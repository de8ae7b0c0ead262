// `fleetdoc queues`: depth, in-flight tasks and consumers per queue, and which queues are at risk.
import { UsageError } from '../../errors.js';
import { parseMinWorkers, queueRow, type QueueFacts, type QueueRow } from '../../model/queues.js';
import { exitCodeFor, worst } from '../../model/verdict.js';
import { renderJson } from '../../render/json.js';
import { queuesJson, queuesTable, queuesSummary } from '../../render/queues.js';
import { makeStyle } from '../../render/style.js';
import { parseDuration } from '../../util/duration.js';
import type { Context } from '../context.js';
import { gatherFleet, withBroker } from '../fleet.js';
import type { Settings } from '../settings.js';

export interface QueuesOptions {
  queue?: string[];
  minWorkers?: string[];
  unackedAge?: string;
}

export async function runQueues(ctx: Context, settings: Settings, opts: QueuesOptions): Promise<number> {
  const min = parseMinWorkers([...minFromConfig(settings), ...(opts.minWorkers ?? [])]);
  if (typeof min === 'string') throw new UsageError(min);
  const unackedAgeS = parseDuration(opts.unackedAge ?? '10m');
  if (unackedAgeS === null) throw new UsageError(`--unacked-age ${JSON.stringify(opts.unackedAge)} must be a duration such as 600, 90s, 10m or 1h`);

  const { serverVersion, rows } = await withBroker(settings, async (conn) => {
    const { readBindings, readDepths, isInternalQueue } = await import('../../sources/broker/queues.js');
    const { readUnacked } = await import('../../sources/broker/unacked.js');
    const [fleet, bindings] = await Promise.all([gatherFleet(ctx, settings, conn, { tasks: true }), readBindings(conn)]);
    for (const w of bindings.warnings) ctx.warn(w);
    const names = new Set([...bindings.queues, ...fleet.workers.flatMap((w) => w.queues), ...(opts.queue ?? [])]);
    const queues = [...names].filter((q) => !isInternalQueue(q) && readable(ctx, q)).sort();
    const held = new Set(fleet.workers.filter((w) => w.responsive).flatMap((w) => fleet.heldTasks.get(w.name) ?? []));
    const [depths, unacked] = await Promise.all([readDepths(conn, queues), readUnacked(conn, bindings, held)]);
    for (const w of unacked.warnings) ctx.warn(w);
    const policy = { ...min, unackedAgeS, nowS: ctx.now() / 1000 };
    const rows = queues.map((name) => {
      const u = unacked.byQueue.get(name);
      const facts: QueueFacts = {
        name,
        messages: depths.get(name)?.messages ?? 0,
        unacked: u?.count ?? 0,
        oldestUnackedAt: u?.oldestAt ?? null,
        orphaned: u?.orphaned ?? 0,
        oldestOrphanAt: u?.oldestOrphanAt ?? null,
        readProblems: depths.get(name)?.warnings ?? [],
      };
      return queueRow(facts, fleet.workers, policy);
    });
    return { serverVersion: fleet.serverVersion, rows: sortRows(rows) };
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

/** Names that arrived with bytes that are not UTF-8 cannot be addressed exactly: say so, skip. */
function readable(ctx: Context, q: string): boolean {
  if (!q.includes('\uFFFD')) return true;
  ctx.warn(`queue ${JSON.stringify(q)} has a name that is not valid UTF-8; skipped`);
  return false;
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
