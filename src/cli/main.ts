// Entry point: parse, run, and map every error to an exit code in this one place.
import { CommanderError } from 'commander';
import { EXIT, FleetdocError } from '../errors.js';
import { oneLine } from '../util/text.js';
import { makeContext, type IO } from './context.js';
import { buildProgram } from './program.js';

export async function main(argv: string[], io: IO): Promise<number> {
  const ctx = makeContext(io);
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
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    return fail(err, io, debug);
  }
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
