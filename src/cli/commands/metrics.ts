// `fleetdoc metrics`: one gather as Prometheus text, on stdout or atomically into a textfile for
// node_exporter; or served on /metrics (--listen), gathering at most once per --interval.
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../errors.js';
import { runDiagnosis, type DiagnosisWant } from '../../gather/diagnosis.js';
import { metricsText } from '../../render/metrics.js';
import type { Context } from '../context.js';
import { queuePolicy, staleSettings, type StaleOptions } from '../settings/options.js';
import type { Settings } from '../settings/settings.js';
import { familiesOf, serveMetrics } from '../metrics-server.js';

export interface MetricsOptions extends Omit<StaleOptions, 'listen'> {
  textfile?: string;
  listen?: string;
  interval?: string;
  window?: string;
  minWorkers?: string[];
}

export async function runMetrics(ctx: Context, settings: Settings, opts: MetricsOptions): Promise<number> {
  if (opts.textfile && opts.listen) throw new UsageError('--textfile and --listen cannot be used together');
  const st = staleSettings(ctx.env, settings, { ...opts, listen: opts.window });
  const want: DiagnosisWant = {
    listenS: st.listenS, visibilityS: st.visibilityS, graceS: st.graceS,
    policy: queuePolicy(settings, opts.minWorkers ?? [], undefined, ctx.now() / 1000),
    registries: { urls: st.registries, timeoutMs: settings.timeoutMs, healthyS: st.healthyS, staleS: st.staleS },
  };
  if (opts.listen) return serveMetrics(ctx, settings, want, { address: opts.listen, intervalS: intervalOf(opts.interval) });
  const t0 = ctx.now();
  const run = await runDiagnosis(ctx, settings, want);
  const text = metricsText(familiesOf(run, (ctx.now() - t0) / 1000, ctx.now() / 1000));
  if (opts.textfile) await writeAtomically(opts.textfile, text);
  else ctx.stdout.write(text);
  return run.result.exit_code;
}

// node_exporter may read the file at any moment: it must see the old file or the new one, whole.
// The temporary name does not end in .prom, so the collector never picks it up.
async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new UsageError(`--textfile ${path}: ${(err as Error).message}`);
  }
}

function intervalOf(v: string | undefined): number {
  const n = Number(v ?? '15');
  if (!Number.isFinite(n) || n < 0.1 || n > 86400) throw new UsageError(`--interval ${JSON.stringify(v)} must be a number of seconds from 0.1 to 86400`);
  return n;
}
