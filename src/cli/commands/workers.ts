// `fleetdoc workers`: which workers are out there, and which run the wrong release.
import { withBroker } from '../../gather/broker.js';
import { gatherEvidence } from '../../gather/evidence.js';
import { exitCodeFor, worst } from '../../model/severity.js';
import { renderJson } from '../../render/json.js';
import { makeStyle } from '../../render/style.js';
import { summarize, summaryLine, workersJson, workersTable, type WorkersReport } from '../../render/workers.js';
import type { Context } from '../context.js';
import type { Settings } from '../settings/settings.js';

export async function runWorkers(ctx: Context, settings: Settings): Promise<number> {
  const { fleet } = await withBroker(ctx, settings, (broker) => gatherEvidence(ctx, settings, broker, {}));
  const report: WorkersReport = { server_version: fleet.serverVersion, workers: fleet.workers, summary: summarize(fleet.workers) };
  if (settings.json) {
    ctx.stdout.write(renderJson(workersJson(report)));
  } else {
    const tty = Boolean(ctx.stdout.isTTY);
    if (report.workers.length) ctx.stdout.write(workersTable(report, makeStyle(settings.color, ctx.env), tty));
    // On a terminal the summary ends the table; piped, it stays off the data rows.
    (tty ? ctx.stdout : ctx.stderr).write(summaryLine(report));
  }
  return exitCodeFor(worst(fleet.workers.map((w) => w.verdict.severity)));
}
