// What every command receives: streams, environment, clock. No singletons.
import type { Writable } from 'node:stream';
import { noProgress, type Progress } from '../render/progress.js';

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
  info(message: string): void;
}

export function makeContext(io: IO): Context {
  const ctx: Context = {
    ...io,
    now: io.now ?? Date.now,
    progress: noProgress,
    warn: (m) => {
      ctx.progress.clear();
      io.stderr.write(`fleetdoc: warning: ${oneLine(m)}\n`);
    },
    info: (m) => {
      ctx.progress.clear();
      io.stderr.write(`fleetdoc: ${oneLine(m)}\n`);
    },
  };
  return ctx;
}

/** Fleet-supplied text may hold newlines or escape codes; keep each message to one safe line. */
export function oneLine(s: string): string {
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?').replace(/\n/g, ' ');
}
