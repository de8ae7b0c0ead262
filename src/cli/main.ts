// Entry point: parse, run, and map every error to an exit code in this one place.
import { performance } from 'node:perf_hooks';
import { CommanderError } from 'commander';
import { EXIT, FleetdocError } from '../errors.js';
import { takeDeferredCAs } from '../sources/extra-ca.js';
import { oneLine } from '../util/text.js';
import { makeContext, type IO } from './context.js';
import { arrangeArgv, buildProgram } from './program.js';

export async function main(argv: string[], io: IO): Promise<number> {
  performance.mark('fleetdoc:main');
  const ctx = makeContext(io);
  takeDeferredCAs(io.env, ctx.warn);
  let code: number = EXIT.ok;
  const program = buildProgram(ctx, (c) => { code = c; });
  const output = {
    writeOut: (s: string) => void io.stdout.write(s),
    writeErr: (s: string) => void io.stderr.write(s),
  };
  // Commander copies settings to subcommands only when they are created, so set them on each.
  for (const cmd of [program, ...program.commands]) cmd.exitOverride().configureOutput(output);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(arrangeArgv(program, argv), { from: 'user' });
    return code;
  } catch (err) {
    return fail(err, io, debug);
  } finally {
    ctx.flushWarnings();
    if (io.env.FLEETDOC_TIMINGS) io.stderr.write(phaseTimings());
  }
}

/** FLEETDOC_TIMINGS=1: where the run's time went, one line on stderr (for bench/workers.mjs). */
function phaseTimings(): string {
  // Marks are set with performance.mark('fleetdoc:<phase>') where each phase ends; times are since process start.
  const marks = performance.getEntriesByType('mark').filter((m) => m.name.startsWith('fleetdoc:'));
  let last = 0;
  const parts = [`node ${performance.nodeTiming.bootstrapComplete.toFixed(0)}`];
  last = performance.nodeTiming.bootstrapComplete;
  for (const m of [...marks, { name: 'fleetdoc:end', startTime: performance.now() }]) {
    parts.push(`${m.name.slice(9)} +${(m.startTime - last).toFixed(0)}`);
    last = m.startTime;
  }
  return `fleetdoc: timings (ms): ${parts.join(', ')}; total ${last.toFixed(0)}\n`;
}

function fail(err: unknown, io: IO, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Help and --version "errors" are successes; commander already printed the message.
    if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
    if (err.code === 'commander.help') return EXIT.usage;
    return EXIT.usage;
  }
  if (err instanceof FleetdocError) {
    if (err.exitCode !== EXIT.interrupted) io.stderr.write(`fleetdoc: ${oneLine(err.message)}\n`);
    if (debug && err.stack) io.stderr.write(err.stack + '\n');
    return err.exitCode;
  }
  const e = err as Error;
  io.stderr.write(`fleetdoc: internal error: ${oneLine(e?.message ?? String(err))}\n`);
  if (debug && e?.stack) io.stderr.write(e.stack + '\n');
  else io.stderr.write('fleetdoc: run again with --debug for the stack trace, and please report it\n');
  return EXIT.internal;
}
