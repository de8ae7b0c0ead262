// Run fleetdoc's main() in-process with captured streams.
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { Sources } from '../../src/gather/types.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

export async function runCli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; tty?: boolean; signal?: AbortSignal; sources?: Sources; now?: () => number } = {},
): Promise<RunResult> {
  const stdout = new Capture(Boolean(opts.tty));
  const stderr = new Capture(Boolean(opts.tty));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env };
  const code = await main(args, { stdout, stderr, env, signal: opts.signal, sources: opts.sources, now: opts.now });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
