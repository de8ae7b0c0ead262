// Shell completion scripts generated from the commander tree: `fleetdoc completion bash|zsh|fish`
// and the files in completions/ (scripts/gen-docs.mjs). Pure: same tree in, same bytes out.
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { describeProgram, names, word, type OptionSpec } from './describe.js';
import { fishCompletion } from './completion-fish.js';
import { zshCompletion } from './completion-zsh.js';
import { SHELLS } from '../help.js';

export { fishCompletion, SHELLS, zshCompletion };

export function completionScript(program: Command, shell: string): string {
  if (shell === 'bash') return bashCompletion(program);
  if (shell === 'zsh') return zshCompletion(program);
  if (shell === 'fish') return fishCompletion(program);
  throw new UsageError(`no completion for shell ${JSON.stringify(shell)} (choose ${SHELLS.join(', ')})`);
}

export function bashCompletion(program: Command): string {
  const p = describeProgram(program);
  const kind = (o: OptionSpec) => (o.file ? 'file' : o.value === 'none' ? '' : o.value === 'required' ? 'value' : 'optional');
  const valueCases: string[] = [];
  for (const [scope, options] of [['*', p.options] as const, ...p.commands.map((c) => [word(c.name), c.options] as const)]) {
    for (const k of ['file', 'value', 'optional']) {
      const pats = options.filter((o) => kind(o) === k).flatMap(names).map((n) => `${scope}:${n}`);
      if (pats.length) valueCases.push(`    ${pats.join('|')}) echo ${k} ;;`);
    }
  }
  const optionCases = p.commands.filter((c) => c.options.length).map((c) => `    ${word(c.name)}) echo '${c.options.flatMap(names).join(' ')}' ;;`);
  const argCases = p.commands.filter((c) => c.args[0]?.choices.length).map((c) => `    ${word(c.name)}) echo '${c.args[0].choices.map(word).join(' ')}' ;;`);
  return `# bash completion for fleetdoc. Generated from the commander definitions by scripts/gen-docs.mjs: do not edit.
# Install: fleetdoc completion bash > ~/.local/share/bash-completion/completions/fleetdoc

# What follows option $2 of command $1: file, value, optional (a value unless it looks like an option) or nothing.
_fleetdoc_value() {
  case $1:$2 in
${valueCases.join('\n')}
  esac
}

# Options of command $1, then the global ones (accepted before or after the command).
_fleetdoc_options() {
  case $1 in
${optionCases.join('\n')}
  esac
  echo '${p.options.flatMap(names).join(' ')}'
}

_fleetdoc_args() {
  case $1 in
${argCases.join('\n')}
  esac
}

_fleetdoc() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd='' npos=0 prev='' kind='' words=() w i n
  # bash splits words at = and : (COMP_WORDBREAKS): glue --opt=value and redis://host:6379 back together.
  for ((i = 1; i <= COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if ((i > 1)) && [[ $w =~ ^[=:]+$ || \${COMP_WORDS[i-1]} =~ ^[=:]+$ ]]; then words[-1]+=$w; else words+=("$w"); fi
  done
  n=$((\${#words[@]} - 1)) # words[n] is the word being completed
  # The command is the first word that is neither an option nor an option's value.
  for ((i = 0; i < n; i++)); do
    w=\${words[i]}
    case $w in
      -*=*) ;;
      -*)
        kind=$(_fleetdoc_value "$cmd" "$w")
        if [[ $kind == file || $kind == value ]]; then ((i++))
        elif [[ $kind == optional ]] && ((i + 1 < n)) && [[ \${words[i+1]} != -* ]]; then ((i++))
        fi ;;
      *) if [[ -z $cmd ]]; then cmd=$w; else ((++npos)); fi ;;
    esac
  done

  w=\${words[n]}
  ((n > 0)) && prev=\${words[n-1]}
  if [[ $w == -*=* ]]; then prev=\${w%%=*} cur=\${w#*=}; fi # --opt=value: complete the value
  kind=''
  if [[ $prev == -* && $prev != *=* ]]; then kind=$(_fleetdoc_value "$cmd" "$prev"); fi
  if [[ $kind == file ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  elif [[ $kind == value ]] || [[ $kind == optional && $w != -* ]]; then
    COMPREPLY=()
  elif [[ $w == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_fleetdoc_options "$cmd")" -- "$w")
  elif [[ -z $cmd ]]; then
    mapfile -t COMPREPLY < <(compgen -W '${p.commands.map((c) => word(c.name)).join(' ')}' -- "$w")
  elif ((npos == 0)); then
    mapfile -t COMPREPLY < <(compgen -W "$(_fleetdoc_args "$cmd")" -- "$w")
  fi
}

complete -F _fleetdoc fleetdoc
`;
}
