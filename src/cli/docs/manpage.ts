// man/fleetdoc.1, generated from the commander tree plus the exit codes, examples and the settings
// the code reads. Pure, and free of the current date, so the committed file can be checked as current.
import type { Command } from 'commander';
import { KNOWN as CONFIG_KEYS } from '../settings/config.js';
import { describeProgram, type CommandSpec } from './describe.js';
import { EXAMPLES, EXIT_CODES_HELP, NOTES } from '../help.js';
import { bold, code, codeBlock, italic, optionList, prose, text } from './roff.js';
import { DEFAULT_BROKER, DEFAULT_DOCKER_SOCKET } from '../settings/settings.js';

const ENVIRONMENT: [string, string][] = [
  ['CELERY_BROKER_URL', `The broker URL when --broker is not given (default ${DEFAULT_BROKER}).`],
  ['FLEETDOC_SERVER_VERSION', "The server's release when neither --server-version nor --server-version-from is given."],
  ['FLEETDOC_CONFIG', 'The config file when --config is not given.'],
  ['NO_COLOR', 'When set and not empty: no colour. It wins over FORCE_COLOR.'],
  ['FORCE_COLOR', 'Colour even when stdout is not a terminal; 0 or false turn colour off.'],
  ['DOCKER_HOST', `The Docker engine inspected by default, and by --docker without an endpoint (otherwise unix://${DEFAULT_DOCKER_SOCKET}, when present).`],
  ['DOCKER_TLS_VERIFY', 'When set, tcp:// Docker engines are reached over TLS with ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH.'],
  ['DOCKER_CERT_PATH', 'The directory of those TLS files (default ~/.docker).'],
  ['NODE_EXTRA_CA_CERTS', 'Extra CAs trusted on every TLS connection (rediss://, amqps://, https://) that names none of its own, as in Node. fleetdoc reads the file only when it first makes one.'],
  ['HEARTBEAT_TIMEOUT_SECONDS', 'The default of --healthy-timeout (300).'],
  ['WORKER_TIMEOUT_SECONDS', 'The default of --stale-timeout (600).'],
];

const CONFIG_FILES: [string, string][] = [
  ['$FLEETDOC_CONFIG', 'The config file, when --config is not given.'],
  ['./fleetdoc.json', 'Otherwise this file in the current directory, if it exists.'],
  ['$XDG_CONFIG_HOME/fleetdoc/config.json', 'Otherwise this one (~/.config/fleetdoc/config.json when XDG_CONFIG_HOME is unset), if it exists.'],
];

export function manPage(program: Command, opts: { version: string; date?: string }): string {
  const p = describeProgram(program);
  const quoted = (s: string) => `"${text(s).replace(/"/g, '\\(dq')}"`;
  const lines = [
    // Tells man(1) to run tbl(1), for the EXIT STATUS table.
    `'\\" t`,
    '.\\" Generated from the commander definitions by scripts/gen-docs.mjs: do not edit.',
    `.TH FLEETDOC 1 ${quoted(opts.date ?? '')} ${quoted(`fleetdoc ${opts.version}`)} "User Commands"`,
    // No hyphenation: URLs, option names and VARIABLE_NAMES must not break across lines.
    '.nh',
    '.SH NAME',
    `fleetdoc \\- ${prose(p.description.split(':')[0])}`,
    '.SH SYNOPSIS',
    '.nf',
    ...p.commands.map((c) => `${bold('fleetdoc')} [${italic('global options')}] ${synopsis(c)}`),
    '.fi',
    '.SH DESCRIPTION',
    prose(p.description),
    '.PP',
    prose('Global options are accepted before or after the command. Flags beat environment variables, which beat the config file (see FILES), which beats the defaults.'),
    '.SH GLOBAL OPTIONS',
    ...optionList(p.options),
    '.SH COMMANDS',
    ...p.commands.flatMap(command),
    '.SH EXIT STATUS',
    '.TS',
    'tab(@);',
    'l lx.',
    ...exitCodes().flatMap(([n, what]) => [`${n}@T{`, prose(what), 'T}']),
    '.TE',
    '.SH ENVIRONMENT',
    ...ENVIRONMENT.flatMap(([name, what]) => ['.TP', bold(name), prose(what)]),
    '.SH FILES',
    ...CONFIG_FILES.flatMap(([path, what]) => ['.TP', italic(path), prose(what)]),
    '.PP',
    prose(`The first one found is read: a JSON object with any of the keys ${[...CONFIG_KEYS].join(', ')}. Flags and environment variables override it.`),
    '.SH EXAMPLES',
    // The first example of each command, which is the everyday form of it.
    ...codeBlock(p.commands.map((c) => EXAMPLES[c.name]?.[0]).filter((e): e is string => Boolean(e))),
    '',
  ];
  return lines.join('\n');
}

function synopsis(c: CommandSpec): string {
  const args = c.args.map((a) => {
    const name = italic(a.name) + (a.variadic ? '...' : '');
    return a.required ? name : `[${name}]`;
  });
  return [bold(c.name), ...(c.options.length ? [`[${italic('options')}]`] : []), ...args].join(' ');
}

function command(c: CommandSpec): string[] {
  const out = ['.SS ' + code(c.name), `${bold('fleetdoc')} ${synopsis(c)}`, '.PP', prose(capitalise(c.description)) + '.'];
  for (const a of c.args) {
    out.push('.TP', italic(a.name) + (a.variadic ? '...' : ''), prose(a.description + (a.choices.length ? `: ${a.choices.join(', ')}` : '')));
  }
  if (c.options.length) out.push('.PP', 'Options:', ...optionList(c.options));
  for (const para of (NOTES[c.name] ?? '').split(/\n\s*\n/).filter((s) => s.trim())) {
    out.push('.PP', ...para.trim().split('\n').map(prose));
  }
  if (EXAMPLES[c.name]?.length) out.push('.PP', 'Examples:', ...codeBlock(EXAMPLES[c.name]));
  return out;
}

/** The codes and meanings from the table --help prints, so the two cannot drift apart. */
function exitCodes(): [string, string][] {
  return EXIT_CODES_HELP.split('\n').flatMap((l) => {
    const m = /^\s+(\d+)\s+(.+)$/.exec(l);
    return m ? [[m[1], m[2]] as [string, string]] : [];
  });
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
