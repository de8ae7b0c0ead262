// The commander tree as plain data, so the completion and man page generators walk one simple
// shape instead of commander internals, and all four stay in step with what the parser accepts.
import type { Argument, Command, Option } from 'commander';

export interface OptionSpec {
  /** '-b', or undefined when the option has no short form. */
  short?: string;
  /** '--broker'; commander requires a long name on every option fleetdoc defines. */
  long: string;
  description: string;
  /** 'optional' values are taken from the next word only when it is not an option (commander's rule). */
  value: 'none' | 'required' | 'optional';
  /** The placeholder in the flags: 'url' for `<url>`. */
  placeholder: string;
  /** The value names a file, so shells complete file names. */
  file: boolean;
  /** A non-empty default not already stated in the description. */
  default?: string;
}

export interface ArgumentSpec {
  name: string;
  description: string;
  required: boolean;
  variadic: boolean;
  /** Values to complete; empty when free-form. */
  choices: string[];
}

export interface CommandSpec {
  name: string;
  description: string;
  /** '[options] [targets...]', as --help prints it. */
  usage: string;
  options: OptionSpec[];
  args: ArgumentSpec[];
}

export interface ProgramSpec {
  name: string;
  description: string;
  /** Accepted before or after the subcommand. */
  options: OptionSpec[];
  commands: CommandSpec[];
}

// commander adds -h/--help and the `help` command itself, outside `options` and `commands`.
const HELP_OPTION: OptionSpec = { short: '-h', long: '--help', description: 'display help for command', value: 'none', placeholder: '', file: false };

export function describeProgram(program: Command): ProgramSpec {
  const commands = program.commands.map(describeCommand);
  commands.push({
    name: 'help',
    description: 'display help for command',
    usage: '[command]',
    options: [],
    args: [{ name: 'command', description: 'the command to explain', required: false, variadic: false, choices: commands.map((c) => c.name) }],
  });
  return {
    name: program.name(),
    description: program.description(),
    options: [...visible(program.options).map(describeOption), HELP_OPTION],
    commands,
  };
}

function describeCommand(cmd: Command): CommandSpec {
  return {
    name: cmd.name(),
    description: cmd.description(),
    usage: cmd.usage(),
    options: visible(cmd.options).map(describeOption),
    args: cmd.registeredArguments.map(describeArgument),
  };
}

function visible(options: readonly Option[]): Option[] {
  return options.filter((o) => !o.hidden);
}

function describeOption(o: Option): OptionSpec {
  if (!o.long) throw new Error(`option ${o.flags} needs a long name for completions`);
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1] ?? '';
  const d = o.defaultValue as unknown;
  const stated = /\bdefault\b/i.test(o.description);
  return {
    short: o.short,
    long: o.long,
    description: o.description,
    value: o.required ? 'required' : o.optional ? 'optional' : 'none',
    placeholder,
    file: placeholder === 'file',
    ...((typeof d === 'string' && d !== '') || typeof d === 'number' ? (stated ? {} : { default: String(d) }) : {}),
  };
}

function describeArgument(a: Argument): ArgumentSpec {
  return { name: a.name(), description: a.description, required: a.required, variadic: a.variadic, choices: a.argChoices ?? [] };
}

/**
 * Names are pasted unquoted into shell case patterns and word lists; anything beyond these
 * characters would need per-shell quoting, so refuse it rather than emit a subtly broken script.
 */
export function word(s: string): string {
  if (!/^[\w.@-]+$/.test(s)) throw new Error(`cannot put ${JSON.stringify(s)} into a completion script`);
  return s;
}

/** The short and long forms of an option, checked with word(). */
export const names = (o: OptionSpec): string[] => (o.short ? [o.short, o.long] : [o.long]).map(word);
