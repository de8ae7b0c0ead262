// metrics --listen: /metrics served with prom-client from one kept-open broker connection and event
// stream; a scrape gathers only when the last gather is older than --interval. Ends on Ctrl-C/TERM.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import { UsageError } from '../errors.js';
import { withBrokerTolerant, type Opened } from '../gather/broker.js';
import { diagnoseWith, type DiagnosisRun, type DiagnosisWant } from '../gather/diagnosis.js';
import { openEventStream, type EventStream } from '../gather/events.js';
import { metricFamilies, type Family } from '../render/metrics.js';
import type { Context } from './context.js';
import type { Settings } from './settings/settings.js';

/** The families of one diagnosis run: what both the text and the prom-client server show. */
export function familiesOf(run: DiagnosisRun, durationS: number, nowS: number): Family[] {
  const { input, ev } = run;
  return metricFamilies({
    diagnosis: run.result, workers: input.workers, queues: run.queues, heartbeats: ev.heartbeats, tasks: ev.tasks,
    containers: input.engines.flatMap((e) => e.containers),
    sources: [
      { source: 'broker', up: input.broker.ok },
      ...input.engines.map((e) => ({ source: `docker:${e.engine}`, up: e.ok })),
      ...input.hosts.map((h) => ({ source: `ssh:${h.target}`, up: h.ok })),
      ...run.registries.map((r) => ({ source: `registry:${r.source}`, up: r.ok })),
    ],
    beats: input.engines.length || input.hosts.length ? (input.beats ?? []).length : null,
    durationS, nowS,
  });
}


export async function serveMetrics(ctx: Context, settings: Settings, want: DiagnosisWant, o: { address: string; intervalS: number }): Promise<number> {
  const { host, port } = listenAddress(o.address);
  return withBrokerTolerant(ctx, settings, async (opened) => {
    const stream = opened.ok ? await openEventStream(opened.broker, ctx.now) : null;
    try {
      const families = cachedGather(ctx, settings, want, opened, stream, o.intervalS);
      const registry = promRegistry(families);
      await serveUntilAborted(ctx, host, port, registry);
      return 0;
    } finally {
      await stream?.close();
    }
  });
}

function cachedGather(ctx: Context, settings: Settings, want: DiagnosisWant, opened: Opened, stream: EventStream | null, intervalS: number): () => Promise<Family[]> {
  let last: { at: number; families: Family[] } | null = null;
  let pending: Promise<Family[]> | null = null;
  const startedAt = ctx.now();
  const gather = async (): Promise<Family[]> => {
    const t0 = ctx.now();
    // The first gather waits out one listen window, so heartbeats have had time to arrive.
    const waitMs = stream ? Math.max(0, want.listenS * 1000 - (t0 - startedAt)) : 0;
    if (waitMs) await new Promise((r) => setTimeout(r, waitMs));
    try {
      const heard = stream ? await stream.read(Math.min(want.listenS, intervalS), ctx.signal) : undefined;
      const run = await diagnoseWith(ctx, settings, { ...want, heard }, opened);
      return familiesOf(run, (ctx.now() - t0) / 1000, ctx.now() / 1000);
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      ctx.warn(`gather failed: ${String((err as Error)?.message ?? err)}`);
      return metricFamilies({
        diagnosis: { status: 'unknown', exit_code: 3, checks: [], findings: [] }, workers: [], queues: [], heartbeats: new Map(), tasks: new Map(),
        containers: [], sources: [{ source: 'broker', up: false }], beats: null, durationS: (ctx.now() - t0) / 1000, nowS: ctx.now() / 1000,
      });
    }
  };
  return async () => {
    if (last && ctx.now() - last.at < intervalS * 1000) return last.families;
    pending ??= gather().then((families) => {
      last = { at: ctx.now(), families };
      return families;
    }).finally(() => { pending = null; });
    return pending;
  };
}

// One gauge per family; each scrape sets them from the (cached) gather.
function promRegistry(families: () => Promise<Family[]>): Registry {
  const registry = new Registry();
  const template = metricFamilies({
    diagnosis: { status: 'ok', exit_code: 0, checks: [], findings: [] }, workers: [], queues: [], heartbeats: new Map(), tasks: new Map(),
    containers: [], sources: [], beats: null, durationS: 0, nowS: 0,
  });
  for (const t of template) {
    new Gauge({
      name: t.name, help: t.help, labelNames: t.labelNames, registers: [registry],
      async collect() {
        const f = (await families()).find((x) => x.name === t.name);
        this.reset();
        for (const s of f?.samples ?? []) {
          if (t.labelNames.length) this.set(s.labels, s.value);
          else this.set(s.value);
        }
      },
    });
  }
  return registry;
}

async function serveUntilAborted(ctx: Context, host: string, port: number, registry: Registry): Promise<void> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    if (path !== '/metrics') {
      res.writeHead(path === '/' ? 200 : 404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end(path === '/' ? 'fleetdoc: metrics at /metrics\n' : 'not found\n');
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${String((err as Error)?.message ?? err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new UsageError(`--listen ${host}:${port}: ${(err as Error).message}`)));
    server.listen(port, host, () => resolve());
  });
  ctx.info(`serving metrics on http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    if (ctx.signal?.aborted) return resolve();
    ctx.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function listenAddress(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen ${JSON.stringify(text)} must be HOST:PORT, e.g. 127.0.0.1:9808`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}
