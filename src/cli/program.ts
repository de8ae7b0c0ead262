// The commander tree: one definition for parsing, --help, completions and the man page.
import { Command, Option } from 'commander';
import { DEFAULT_BROKER, resolveSettings, type GlobalFlags, type Settings } from './settings.js';
import type { Context } from './context.js';
import { VERSION } from '../version.js';

export const EXIT_CODES_HELP = `
Exit codes:
  0   all good
  1   warnings only
  2   critical: an incompatible worker consumes a queue, or a worker is unresponsive
  3   unknown: the broker cannot be reached or read
  64  usage error
  70  internal error`;

type Runner = (ctx: Context, settings: Settings, opts: Record<string, unknown>, args: string[]) => Promise<number>;

export function buildProgram(ctx: Context, done: (code: number) => void): Command {
  const program = new Command('fleetdoc')
    .description('A fleet doctor for Celery workers on Redis: find stragglers, explain them, print the fix.')
    .version(VERSION, '-V, --version')
    .addOption(new Option('-b, --broker <url>', `broker URL (env CELERY_BROKER_URL, default ${DEFAULT_BROKER})`))
    .addOption(new Option('--server-version <version>', "the server's release (env FLEETDOC_SERVER_VERSION)"))
    .addOption(new Option('--server-version-from <file>', 'read __version__ = "…" from a Python file'))
    .addOption(new Option('--compatible <range>', 'semver range of accepted releases (default: exactly the server version)'))
    .addOption(new Option('-t, --timeout <seconds>', 'how long to wait for worker replies (default 1.0)'))
    .addOption(new Option('--json', 'print one JSON document on stdout'))
    .addOption(new Option('--no-color', 'no colour (also NO_COLOR; FORCE_COLOR forces it)'))
    .addOption(new Option('-c, --config <file>', 'JSON config file (default $FLEETDOC_CONFIG, ./fleetdoc.json, ~/.config/fleetdoc/config.json)'))
    .addOption(new Option('--debug', 'show stack traces on errors'))
    .addOption(new Option('--docker [endpoint]', 'inspect this Docker engine: unix:///path, tcp://host:2376, ssh://user@host (repeatable; default: DOCKER_HOST or the local socket when present)').argParser(collect).preset('default'))
    .addOption(new Option('--no-docker', 'do not inspect Docker'))
    .addOption(new Option('--ssh <host>', 'inspect worker processes on this SSH host: alias, user@host or host:port (repeatable or comma-separated)').argParser(collect))
    .addOption(new Option('--ssh-config <file>', 'ssh client config file (passed as ssh -F)'))
    .addOption(new Option('--ssh-concurrency <n>', 'SSH hosts queried at once (default 16)'))
    .addOption(new Option('--logs <n>', 'show the last N log lines of problem containers (default 0)'))
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run fleetdoc --help for usage)');

  const add = (cmd: Command, load: () => Promise<Runner>) => {
    cmd.action(async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const flags = command.optsWithGlobals() as GlobalFlags & Record<string, unknown>;
      const settings = resolveSettings(flags, ctx.env, Boolean(ctx.stdout.isTTY));
      for (const w of settings.warnings) ctx.warn(w);
      const run = await load();
      done(await run(ctx, settings, command.opts(), command.args));
    });
    program.addCommand(cmd);
  };

  add(
    new Command('workers')
      .description('list the workers, their release and whether they are compatible')
      .addHelpText('after', `
Examples:
  fleetdoc workers --server-version 0.13.0
  fleetdoc workers --json | jq -r '.workers[] | select(.compatible | not) | .name'
  */5 * * * * fleetdoc workers --server-version-from /srv/app/app/version.py >/dev/null || page-oncall
${EXIT_CODES_HELP}`),
    async () => (await import('./commands/workers.js')).runWorkers,
  );
  add(
    new Command('queues')
      .description('depth, unacked tasks and consumers per queue, and which queues are at risk')
      .option('--queue <name>', 'also report this queue (repeatable)', collect, [])
      .option('--min-workers <n|queue=n>', 'fewest compatible consumers wanted, overall or per queue (repeatable; default 1)', collect, [])
      .option('--unacked-age <duration>', 'warn when an unresponsive worker holds unacked tasks older than this', '10m')
      .addHelpText('after', `
Examples:
  fleetdoc queues --min-workers gpu=2
  fleetdoc queues --json | jq -r '.queues[] | select(.healthy | not) | "\\(.name): \\(.problems | join("; "))"'
  */5 * * * * fleetdoc queues --queue gpu >/dev/null || page-oncall
${EXIT_CODES_HELP}`),
    async () => (await import('./commands/queues.js')).runQueues as Runner,
  );
  return program;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}
