// What every command receives: streams, environment, clock and the source factories. No singletons.
import { realSources } from './sources.js';
import type { GatherContext, Sources } from '../gather/types.js';
import { noProgress, type Progress } from '../render/progress.js';
import type { Stream } from '../util/stream.js';
import { oneLine, utf8Locale } from '../util/text.js';
import { makeWarnings } from './warnings.js';

export type { Stream } from '../util/stream.js';

export interface IO {
  stdout: Stream;
  stderr: Stream;
  /** Keys for `watch` (q, Ctrl-C) when it is a terminal; absent in tests. */
  stdin?: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
  /** Fires on Ctrl-C so sources can clean up their broker keys. */
  signal?: AbortSignal;
  now?: () => number;
  /** Fakes in tests; the real sources otherwise. */
  sources?: Sources;
}

export interface Context extends GatherContext {
  stdout: Stream;
  stderr: Stream;
  stdin?: NodeJS.ReadStream;
  /** Set per run by the command wiring once --json and colour are known. */
  progress: Progress;
  /** Print warnings still held back for grouping (at the end of a run). */
  flushWarnings(): void;
}

export function makeContext(io: IO): Context {
  const warnings = makeWarnings((m) => {
    ctx.progress.clear();
    io.stderr.write(`fleetdoc: warning: ${oneLine(m)}\n`);
  }, utf8Locale(io.env));
  const ctx: Context = {
    stdout: io.stdout,
    stderr: io.stderr,
    // A getter: the real process.stdin is made only when a command reads it.
    get stdin() { return io.stdin; },
    env: io.env,
    signal: io.signal,
    now: io.now ?? Date.now,
    sources: io.sources ?? realSources,
    progress: noProgress,
    warn: warnings.warn,
    flushWarnings: warnings.flush,
    info: (m) => {
      ctx.progress.clear();
      io.stderr.write(`fleetdoc: ${oneLine(m)}\n`);
    },
  };
  return ctx;
}
