// The commander tree: one definition for parsing, --help, completions and the man page.
import { Argument, Command, Option } from 'commander';
import { UsageError } from '../errors.js';
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
      performance.mark('fleetdoc:command-loaded');
      done(await run(ctx, settings, command.opts(), command.args));
      performance.mark('fleetdoc:run');
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

/** Which values an option with an optional value takes; anything else is left for the next parser step. */
const OPTIONAL_VALUES: Record<string, (value: string) => boolean> = {
  '--docker': (v) => v === 'default' || v.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\//i.test(v),
};

/**
 * Fix up argv before commander sees it. An optional value is taken only when it looks like one
 * (`--docker workers` runs workers). A command's option given before the command is moved after
 * it, so scripts may put options in either place; one the command does not have is an error
 * that names the commands that do.
 */
export function arrangeArgv(program: Command, argv: string[]): string[] {
  const commands = program.commands;
  const find = (cmd: Command, flag: string) => cmd.options.find((o) => is(o, flag.split('=')[0]));
  const end = argv.indexOf('--') < 0 ? argv.length : argv.indexOf('--');
  const trailing: string[] = [];
  const args = argv.slice(0, end).flatMap((arg, i, all) => {
    const opt = [program, ...commands].map((c) => find(c, arg)).find((o) => o?.optional);
    if (!opt || arg.includes('=') || i + 1 >= all.length || all[i + 1].startsWith('-')) return [arg];
    const next = all[i + 1];
    const isValue = OPTIONAL_VALUES[opt.long ?? ''] ?? ((v: string) => !commands.some((c) => c.name() === v));
    if (isValue(next)) return [arg];
    // `--docker=default` is what a bare --docker means; an option without a preset goes last instead.
    if (opt.presetArg === undefined) return (trailing.push(arg), []);
    return [`${opt.long}=${String(opt.presetArg)}`];
  });
  args.push(...trailing);
  const moved: string[] = [];
  const movedFlags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('-') || arg === '-') {
      const cmd = commands.find((c) => c.name() === arg);
      const foreign = cmd ? movedFlags.filter((f) => !find(cmd, f)) : movedFlags;
      if (foreign.length) throw misplaced(commands, foreign[0], cmd);
      return [...args.slice(0, i), arg, ...moved, ...args.slice(i + 1), ...argv.slice(end)];
    }
    const global = find(program, arg) ?? (/^-[a-zA-Z]./.test(arg) && !arg.startsWith('--') ? find(program, arg.slice(0, 2)) : undefined);
    const takesNext = (o: Option) => (o.required || o.optional) && !arg.includes('=') && is(o, arg) && i + 1 < args.length
      && (o.required || !args[i + 1].startsWith('-'));
    if (global || ['-h', '--help'].includes(arg)) {
      if (global && takesNext(global)) i++;
      continue;
    }
    const owner = commands.map((c) => find(c, arg)).find(Boolean);
    if (!owner) continue; // commander reports it as unknown
    const tokens = takesNext(owner) ? [arg, args[i + 1]] : [arg];
    moved.push(...tokens);
    movedFlags.push(arg.split('=')[0]);
    args.splice(i, tokens.length);
    i--;
  }
  if (movedFlags.length) throw misplaced(commands, movedFlags[0], undefined);
  return [...args, ...argv.slice(end)];
}

const is = (o: Option, flag: string) => o.long === flag || o.short === flag;

function misplaced(commands: readonly Command[], flag: string, cmd: Command | undefined): UsageError {
  const owners = commands.filter((c) => c.options.some((o) => is(o, flag))).map((c) => c.name());
  const list = owners.length > 1 ? `${owners.slice(0, -1).join(', ')} and ${owners.at(-1)}` : owners[0];
  return new UsageError(cmd
    ? `${flag} is an option of ${list}, not of ${cmd.name()}`
    : `${flag} is an option of ${list}: put it after the command (run fleetdoc --help for usage)`);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}
