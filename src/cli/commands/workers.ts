// `fleetdoc workers`: which workers are out there, and which run the wrong release.
import type { Context } from '../context.js';
import { gatherFleet, withBroker } from '../fleet.js';
import type { Settings } from '../settings.js';
import { renderJson } from '../../render/json.js';
import { makeStyle } from '../../render/style.js';
import { summarize, summaryLine, workersJson, workersTable, type WorkersReport } from '../../render/workers.js';
import { exitCodeFor, workerSeverity, worst } from '../../model/verdict.js';

export async function runWorkers(ctx: Context, settings: Settings): Promise<number> {
  const fleet = await withBroker(settings, (conn) => gatherFleet(ctx, settings, conn));
  const report: WorkersReport = { server_version: fleet.serverVersion, workers: fleet.workers, summary: summarize(fleet.workers) };
  if (settings.json) {
    ctx.stdout.write(renderJson(workersJson(report)));
  } else {
    const tty = Boolean(ctx.stdout.isTTY);
    const style = makeStyle(settings.color, ctx.env);
    if (report.workers.length) ctx.stdout.write(workersTable(report, style, tty));
    // On a terminal the summary ends the table; piped, it stays off the data rows.
    (tty ? ctx.stdout : ctx.stderr).write(summaryLine(report));
  }
  return exitCodeFor(worst(fleet.workers.map(workerSeverity)));
}
