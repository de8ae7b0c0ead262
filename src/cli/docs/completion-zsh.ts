// The zsh completion script (an _arguments function), generated from the commander tree.
import type { Command } from 'commander';
import { describeProgram, names, word, type ArgumentSpec, type OptionSpec } from './describe.js';

/** Inside '…' in an _arguments spec: [ ] : and \ mean something to _arguments, ' ends the quote. */
function esc(s: string): string {
  return s.replace(/[\\[\]:]/g, (c) => `\\${c}`).replace(/'/g, `'\\''`);
}

// One spec per option, its short and long forms joined by brace expansion. Options taking a value
// may repeat (commander accepts that, and several collect); flags are offered once.
function optionSpec(o: OptionSpec): string {
  const forms = names(o);
  const help = `[${esc(o.description)}]`;
  if (o.value === 'none') {
    return forms.length > 1 ? `'(${forms.join(' ')})'{${forms.join(',')}}'${help}'` : `'${forms[0]}${help}'`;
  }
  // -b+ and --broker= take the value in the same word or the next one, as commander does.
  const withValue = forms.map((f) => f + (f.startsWith('--') ? '=' : '+'));
  const tail = `${help}${o.value === 'optional' ? '::' : ':'}${esc(o.placeholder)}:${o.file ? '_files' : ' '}'`;
  return withValue.length > 1 ? `'*'{${withValue.join(',')}}'${tail}` : `'*${withValue[0]}${tail}`;
}

function argumentSpec(a: ArgumentSpec, position: number): string {
  const action = a.choices.length ? `(${a.choices.map(word).join(' ')})` : ' ';
  const where = a.variadic ? '*:' : a.required ? `${position}:` : `${position}::`;
  return `'${where}${esc(a.description || a.name)}:${action}'`;
}

export function zshCompletion(program: Command): string {
  const p = describeProgram(program);
  // _describe splits name from description at the first colon; only the quote needs care there.
  const commands = p.commands.map((c) => `    '${word(c.name)}:${c.description.replace(/'/g, `'\\''`)}'`);
  const cases = p.commands.map((c) => {
    const specs = [...c.options.map(optionSpec), ...c.args.map((a, i) => argumentSpec(a, i + 1))];
    return `      ${word(c.name)}) _arguments -s -S $global_opts ${[...specs, '&& ret=0 ;;'].join(' \\\n        ')}`;
  });
  return `#compdef fleetdoc
# zsh completion for fleetdoc. Generated from the commander definitions by scripts/gen-docs.mjs: do not edit.
# Install: fleetdoc completion zsh > ~/.zfunc/_fleetdoc, with fpath+=(~/.zfunc) before compinit in ~/.zshrc

_fleetdoc_commands() {
  local -a commands
  commands=(
${commands.join('\n')}
  )
  _describe -t commands 'fleetdoc command' commands
}

_fleetdoc() {
  local curcontext=$curcontext state line ret=1
  # Global options are accepted before and after the command.
  local -a global_opts
  global_opts=(
${p.options.map((o) => `    ${optionSpec(o)}`).join('\n')}
  )
  _arguments -C -s -S $global_opts '1: :_fleetdoc_commands' '*:: :->args' && ret=0
  if [[ $state == args ]]; then
    curcontext=\${curcontext%:*:*}:fleetdoc-$words[1]:
    case $words[1] in
${cases.join('\n')}
    esac
  fi
  return ret
}

# Autoloaded from fpath, this file is the body of _fleetdoc; sourced, it registers itself.
if [[ $funcstack[1] == _fleetdoc ]]; then
  _fleetdoc "$@"
else
  compdef _fleetdoc fleetdoc
fi
`;
}
