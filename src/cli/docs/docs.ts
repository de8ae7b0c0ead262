// The generated files in the repository (completions/ and man/), by path. scripts/gen-docs.mjs
// writes or checks them from the built code; the unit tests compare them with the sources.
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { VERSION } from '../../version.js';
import { bashCompletion, fishCompletion, zshCompletion } from './completion.js';
import { makeContext } from '../context.js';
import { manPage } from './manpage.js';
import { buildProgram } from '../program.js';

export function generatedDocs(program: Command, version = VERSION): Record<string, string> {
  return {
    'completions/fleetdoc.bash': bashCompletion(program),
    'completions/_fleetdoc': zshCompletion(program),
    'completions/fleetdoc.fish': fishCompletion(program),
    'man/fleetdoc.1': manPage(program, { version }),
  };
}

/** The command tree alone: nothing is parsed or run, so the streams and environment stay unused. */
export function docsProgram(): Command {
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  return buildProgram(makeContext({ stdout: sink, stderr: sink, env: {} }), () => {});
}
