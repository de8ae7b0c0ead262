// What every command receives: streams, environment, clock. No singletons.
import type { Writable } from 'node:stream';
import { noProgress, type Progress } from '../render/progress.js';
import { oneLine, utf8Locale } from '../util/text.js';
import { makeWarnings } from './warnings.js';

export type Stream = Writable & { isTTY?: boolean; columns?: number };

export interface IO {
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
  /** Fires on Ctrl-C so sources can clean up their broker keys. */
  signal?: AbortSignal;
  now?: () => number;
}

export interface Context extends IO {
  now: () => number;
  /** Set per run by the command wiring once --json and colour are known. */
  progress: Progress;
  warn(message: string): void;
  /** Print warnings still held back for grouping (at the end of a run). */
  flushWarnings(): void;
  info(message: string): void;
}

export function makeContext(io: IO): Context {
  const warnings = makeWarnings((m) => {
    ctx.progress.clear();
    io.stderr.write(`fleetdoc: warning: ${oneLine(m)}\n`);
  }, utf8Locale(io.env));
  const ctx: Context = {
    ...io,
    now: io.now ?? Date.now,
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

// Fleet-supplied text may hold newlines, escape codes or bidi controls: util/text.ts cleans it.
export { oneLine } from '../util/text.js';
