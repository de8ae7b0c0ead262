// The fish completion script (`complete` lines), generated from the commander tree.
import type { Command } from 'commander';
import { describeProgram, word, type OptionSpec } from './describe.js';

/** A fish single-quoted string: only \ and ' are special inside. */
function quote(s: string): string {
  return `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

function optionLine(o: OptionSpec, condition: string): string {
  const parts = ['complete -c fleetdoc'];
  if (condition) parts.push(`-n ${quote(condition)}`);
  if (o.short) parts.push(`-s ${word(o.short.slice(1))}`);
  parts.push(`-l ${word(o.long.slice(2))}`);
  // -r: needs a value; -F: file names for it; -x (= -r -f): a value, but not a file name.
  // Optional values (--docker [endpoint]) get neither, so fish never insists on one.
  if (o.value === 'required') parts.push(o.file ? '-r -F' : '-x');
  parts.push(`-d ${quote(o.description)}`);
  return parts.join(' ');
}

export function fishCompletion(program: Command): string {
  const p = describeProgram(program);
  const all = p.commands.map((c) => word(c.name)).join(' ');
  const lines = [
    '# fish completion for fleetdoc. Generated from the commander definitions by scripts/gen-docs.mjs: do not edit.',
    '# Install: fleetdoc completion fish > ~/.config/fish/completions/fleetdoc.fish',
    '',
    '# No file names unless an option asks for one.',
    'complete -c fleetdoc -f',
    '',
    '# Commands, until one is given.',
    ...p.commands.map((c) => `complete -c fleetdoc -n ${quote(`not __fish_seen_subcommand_from ${all}`)} -a ${word(c.name)} -d ${quote(c.description)}`),
    '',
    '# Global options, before or after the command.',
    ...p.options.map((o) => optionLine(o, '')),
  ];
  for (const c of p.commands) {
    const seen = `__fish_seen_subcommand_from ${word(c.name)}`;
    const choices = c.args[0]?.choices ?? [];
    if (!c.options.length && !choices.length) continue;
    lines.push('', `# ${c.name}`, ...c.options.map((o) => optionLine(o, seen)));
    if (choices.length) {
      // Only the first argument has choices: stop offering them once one is given.
      const done = `not __fish_seen_subcommand_from ${choices.map(word).join(' ')}`;
      lines.push(`complete -c fleetdoc -n ${quote(`${seen}; and ${done}`)} -a ${quote(choices.map(word).join(' '))}`);
    }
  }
  return lines.join('\n') + '\n';
}
