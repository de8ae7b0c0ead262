// The terminal for `watch`: the alternate screen, and stdin in raw mode so `q` and Ctrl-C arrive as
// keys. restore() puts both back; it runs on every exit path (the caller's finally, and process exit).
import type { Stream } from '../util/stream.js';

export interface Terminal {
  restore(): void;
}

export function openTerminal(out: Stream, stdin: NodeJS.ReadStream | undefined, quit: () => void, enter: string, leave: string): Terminal {
  out.write(enter);
  const raw = Boolean(stdin?.isTTY && typeof stdin.setRawMode === 'function');
  const onData = (d: Buffer | string) => {
    const s = d.toString();
    // q, Q, Ctrl-C (ETX), Ctrl-D (EOT): leave.
    if (/[qQ\x03\x04]/.test(s)) quit();
  };
  if (raw && stdin) {
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    process.off('exit', restore);
    if (raw && stdin) {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    }
    out.write(leave);
  };
  process.once('exit', restore);
  return { restore };
}
