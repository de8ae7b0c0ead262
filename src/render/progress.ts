// A one-line spinner on stderr naming what is still pending. Only on a terminal, never with --json.
import type { Stream } from '../util/stream.js';

export interface Progress {
  /** Mark `name` pending until the promise settles; returns the same promise. */
  track<T>(name: string, p: Promise<T>): Promise<T>;
  /** Erase the line (before other stderr output, and at the end). */
  clear(): void;
}

export const noProgress: Progress = { track: (_n, p) => p, clear: () => undefined };

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function makeProgress(stderr: Stream, enabled: boolean, unicode: boolean): Progress {
  if (!enabled || !stderr.isTTY) return noProgress;
  const pending = new Map<string, number>();
  let frame = 0;
  let shown = false;
  let timer: NodeJS.Timeout | null = null;
  const draw = () => {
    const names = [...pending.keys()];
    if (!names.length) return;
    const spin = unicode ? FRAMES[frame++ % FRAMES.length] : '-\\|/'[frame++ % 4];
    const width = Math.max(20, (stderr.columns ?? 80) - 1);
    stderr.write(`\r\x1b[K${`${spin} waiting for ${names.join(', ')}`.slice(0, width)}`);
    shown = true;
  };
  const clear = () => {
    if (shown) stderr.write('\r\x1b[K');
    shown = false;
  };
  return {
    track(name, p) {
      pending.set(name, (pending.get(name) ?? 0) + 1);
      // Quick runs never flash a spinner: the first frame comes after 100 ms.
      timer ??= setInterval(draw, 100);
      timer.unref?.();
      const settle = () => {
        const n = (pending.get(name) ?? 1) - 1;
        if (n > 0) pending.set(name, n);
        else pending.delete(name);
        if (!pending.size && timer) {
          clearInterval(timer);
          timer = null;
          clear();
        }
      };
      p.then(settle, settle);
      return p;
    },
    clear,
  };
}
