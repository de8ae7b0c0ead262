// `fleetdoc watch`: one broker connection and one event stream kept open, a refresh every
// --interval; on a terminal a screen redrawn in place, otherwise one JSON document per line.
import { InterruptedError, UsageError } from '../../errors.js';
import { withBroker } from '../../gather/broker.js';
import { openEventStream } from '../../gather/events.js';
import { gatherEvidence } from '../../gather/evidence.js';
import { queueRow } from '../../model/queues.js';
import { diffSnapshots, watchSnapshot, type WatchSnapshot } from '../../model/watch.js';
import { noProgress } from '../../render/progress.js';
import { drawFrame, ENTER_SCREEN, LEAVE_SCREEN, VIEWS, watchFrame, watchJson, type WatchView } from '../../render/watch.js';
import type { Context } from '../context.js';
import { queuePolicy } from '../settings/options.js';
import type { Settings } from '../settings/settings.js';
import { openTerminal } from '../terminal.js';
import { jsonSafe, oneLine } from '../../util/text.js';

export interface WatchOptions {
  interval?: string;
  view?: string;
  minWorkers?: string[];
}

export async function runWatch(ctx: Context, settings: Settings, opts: WatchOptions): Promise<number> {
  const intervalS = Number(opts.interval ?? '2');
  if (!Number.isFinite(intervalS) || intervalS < 0.2 || intervalS > 3600) throw new UsageError(`--interval ${JSON.stringify(opts.interval)} must be a number of seconds from 0.2 to 3600`);
  const view = (opts.view ?? 'workers') as WatchView;
  if (!VIEWS.includes(view)) throw new UsageError(`--view ${JSON.stringify(opts.view)} must be one of ${VIEWS.join(', ')}`);
  const ndjson = settings.json || !ctx.stdout.isTTY;
  // q, Ctrl-C, SIGINT or SIGTERM all end the loop the same way; the gather in flight is cancelled.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal?.aborted) stop.abort();
  const notes: string[] = [];
  const said = new Set<string>();
  // On screen the messages go into the frame; piped, each distinct one goes to stderr once.
  const say = (m: string) => {
    if (!ndjson) return void notes.push(m);
    if (!said.has(m)) ctx.stderr.write(`fleetdoc: ${oneLine(m)}\n`);
    said.add(m);
  };
  // A closed pipe (`watch | head`) ends the watch like q does.
  const onPipeError = () => stop.abort();
  ctx.stdout.on('error', onPipeError);
  const wctx: Context = { ...ctx, signal: stop.signal, progress: noProgress, warn: say, info: (m) => say(m) };
  const term = ndjson ? null : openTerminal(ctx.stdout, ctx.stdin, () => stop.abort(), ENTER_SCREEN, LEAVE_SCREEN);
  try {
    return await withBroker(wctx, settings, async (broker) => {
      const stream = await openEventStream(broker, ctx.now);
      try {
        let prev: WatchSnapshot | null = null;
        for (let refresh = 1; !stop.signal.aborted; refresh++) {
          const started = ctx.now();
          notes.length = 0;
          const heard = await stream.read(Math.min(2.5, intervalS), stop.signal);
          const ev = await gatherEvidence(wctx, settings, broker, { listenS: heard.listenedS, heard: heard.events, queues: true });
          const policy = queuePolicy(settings, opts.minWorkers ?? [], undefined, ctx.now() / 1000);
          const snap = watchSnapshot({
            at: ctx.now() / 1000, refresh, broker: settings.broker.display, serverVersion: ev.fleet.serverVersion, listenedS: heard.listenedS,
            workers: ev.fleet.workers, queues: ev.queues.map((q) => queueRow(q, ev.fleet.workers, policy)), heartbeats: ev.heartbeats, tasks: ev.tasks,
          });
          const changes = diffSnapshots(prev, snap);
          prev = snap;
          if (ndjson) ctx.stdout.write(jsonSafe(JSON.stringify(watchJson(snap, changes, view))) + '\n');
          else ctx.stdout.write(drawFrame(watchFrame(snap, changes, { view, intervalS, width: ctx.stdout.columns ?? 80, height: (ctx.stdout as { rows?: number }).rows ?? 24, notes })));
          await sleep(Math.max(0, intervalS * 1000 - (ctx.now() - started)), stop.signal);
        }
        return 0;
      } finally {
        await stream.close();
      }
    });
  } catch (err) {
    // Leaving is what was asked for: the interrupted gather has already removed its reply keys.
    if (err instanceof InterruptedError && stop.signal.aborted) return 0;
    throw err;
  } finally {
    ctx.signal?.removeEventListener('abort', onAbort);
    ctx.stdout.off('error', onPipeError);
    term?.restore();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
