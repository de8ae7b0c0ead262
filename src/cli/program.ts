// The commander tree: one definition for parsing, --help, completions and the man page.
import { Argument, Command, Option } from 'commander';
import { DEFAULT_BROKER, resolveSettings, type GlobalFlags, type Settings } from './settings/settings.js';
import type { Context } from './context.js';
import { makeProgress } from '../render/progress.js';
import { makeStyle } from '../render/style.js';
import { VERSION } from '../version.js';
import { EXIT_CODES_HELP, helpAfter, SHELLS } from './help.js';

export { EXAMPLES, EXIT_CODES_HELP, NOTES, SHELLS } from './help.js';

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
    .addOption(new Option('--ssh-fast-kex', 'prefer curve25519 key exchange over OpenSSH 9\'s post-quantum default: ~10x less CPU per host'))
    .addOption(new Option('--logs <n>', 'show the last N log lines of problem containers (default 0)'))
    .addOption(new Option('--docker-label <key=value>', 'only containers with this label (repeatable)').argParser(collect))
    .addOption(new Option('--broker-transport-option <key=value>', "a kombu transport option, e.g. master_name=mymaster for Sentinel (repeatable)").argParser(collect))
    .addOption(new Option('--rabbitmq-api <url>', 'RabbitMQ management API (default: http://BROKER-HOST:15672 with the broker credentials)'))
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run fleetdoc --help for usage)');

  const add = (cmd: Command, load: () => Promise<Runner>) => {
    cmd.action(async (...params: unknown[]) => {
      const command = params[params.length - 1] as Command;
      const flags = command.optsWithGlobals() as GlobalFlags & Record<string, unknown>;
      const settings = resolveSettings(flags, ctx.env, Boolean(ctx.stdout.isTTY));
      for (const w of settings.warnings) ctx.warn(w);
      ctx.progress = makeProgress(ctx.stderr, !settings.json, makeStyle(settings.color, ctx.env).unicode);
      const run = await load();
      done(await run(ctx, settings, command.opts(), command.args));
    });
    program.addCommand(cmd);
  };

  add(
    new Command('workers')
      .description('list the workers, their release and whether they are compatible')
      .addHelpText('after', helpAfter('workers')),
    async () => (await import('./commands/workers.js')).runWorkers,
  );
  add(
    new Command('queues')
      .description('depth, unacked tasks and consumers per queue, and which queues are at risk')
      .option('--queue <name>', 'also report this queue (repeatable)', collect, [])
      .option('--min-workers <n|queue=n>', 'fewest compatible consumers wanted, overall or per queue (repeatable; default 1)', collect, [])
      .option('--unacked-age <duration>', 'warn when an unresponsive worker holds unacked tasks older than this (default 10m)')
      .addHelpText('after', helpAfter('queues')),
    async () => (await import('./commands/queues.js')).runQueues as Runner,
  );
  const staleOptions = (cmd: Command) => cmd
    .option('--listen <seconds>', 'listen to worker heartbeats this long (default 2.5; 0 = do not listen)')
    .option('--registry <url>', 'heartbeat registry over HTTP (repeatable)', collect, [])
    .option('--healthy-timeout <seconds>', 'registry heartbeat age still healthy (env HEARTBEAT_TIMEOUT_SECONDS, default 300)')
    .option('--stale-timeout <seconds>', 'registry heartbeat age beyond which a worker is stale (env WORKER_TIMEOUT_SECONDS, default 600)')
    .option('--visibility-timeout <seconds>', "the broker's visibility_timeout, for when unacked tasks come back (default 3600)");

  add(
    staleOptions(new Command('stale')
      .description('find workers that are hung, unresponsive or gone, and stale registry entries'))
      .addHelpText('after', helpAfter('stale')),
    async () => (await import('./commands/stale.js')).runStale as Runner,
  );

  add(
    staleOptions(new Command('kill')
      .description('stop exactly the workers named (dry run unless --yes)')
      .argument('[targets...]', "worker names, globs ('celery@*'), container:NAME or HOST:PID")
      .option('--yes', 'act: without it, only print the plan')
      .option('--grace <seconds>', 'wait this long after each gentler step (default 10)', '10')
      .option('--rm', 'also remove stopped containers')
      .option('--incompatible', 'every incompatible worker (never a compatible, responsive one)')
      .option('--unversioned', 'every worker whose name carries no version')
      .option('--mismatched', 'every worker on another release')
      .option('--stale', 'every unresponsive, stale or gone worker (cleans ghost roster entries with --yes)'))
      .addHelpText('after', helpAfter('kill')),
    async () => (await import('./commands/kill.js')).runKill as Runner,
  );
  add(
    staleOptions(new Command('diagnose')
      .description('run every check over every source and say what is wrong and what to type'))
      .option('--only <checks>', 'run only these checks (comma-separated)', collect, [])
      .option('--skip <checks>', 'skip these checks (comma-separated)', collect, [])
      .option('--list-checks', 'print the check names and exit')
      .option('--min-workers <n|queue=n>', 'fewest compatible consumers wanted per queue (repeatable)', collect, [])
      .option('-v, --verbose', 'show the evidence behind each finding')
      .addHelpText('after', helpAfter('diagnose')),
    async () => (await import('./commands/diagnose.js')).runDiagnose as Runner,
  );

  // Not through add(): printing a script needs no broker, config or settings.
  const shell = new Argument('<shell>', 'the shell to complete for');
  shell.argChoices = [...SHELLS]; // listed for --help and completions; checked in the action
  program.addCommand(new Command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(shell)
    .addHelpText('after', helpAfter('completion', ''))
    .action(async (name: string) => {
      const { completionScript } = await import('./docs/completion.js');
      ctx.stdout.write(completionScript(program, name));
      done(0);
    }));
  return program;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}
