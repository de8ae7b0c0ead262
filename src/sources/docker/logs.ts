// The last lines of a container's log. Without a TTY Docker multiplexes
// stdout and stderr into frames with an 8-byte header; with one, it is raw.
import { collect, containerPath, type EngineApi } from './api.js';

// A tail of N lines can still be huge when lines are: stop reading here (the
// lines kept are then the first of the tail, which beats no lines at all).
const MAX_BYTES = 4 * 1024 * 1024;
const MAX_LINE = 2000;

/** The payload of Docker's multiplexed frames in order, or null when `buf` is not framed. */
export function demux(buf: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    // Header: stream (0 stdin, 1 stdout, 2 stderr), three zero bytes, big-endian length.
    if (buf[i] > 2 || buf[i + 1] !== 0 || buf[i + 2] !== 0 || buf[i + 3] !== 0) return null;
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, Math.min(buf.length, i + 8 + len)));
    i += 8 + len;
  }
  // A stray tail shorter than a header is dropped; no frame at all means raw.
  return parts.length > 0 || buf.length === 0 ? Buffer.concat(parts) : null;
}

/** The last `n` lines of a log body; `tty` says whether it is raw. */
export function logLines(buf: Buffer, tty: boolean, n: number): string[] {
  const body = tty ? buf : (demux(buf) ?? buf);
  const lines = body.toString('utf8').split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-n).map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l));
}

/** Reads the log as a raw stream, so that a huge one can be capped (and a TTY log is never taken for JSON). */
export async function fetchLogs(api: EngineApi, id: string, tty: boolean, n: number, signal: AbortSignal): Promise<string[]> {
  const stream = await api.stream(containerPath(id, '/logs'), { stdout: true, stderr: true, tail: n }, { signal });
  const body = await collect(stream, signal, MAX_BYTES);
  return logLines(body, tty, n);
}
