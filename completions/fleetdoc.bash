# bash completion for fleetdoc. Generated from the commander definitions by scripts/gen-docs.mjs: do not edit.
# Install: fleetdoc completion bash > ~/.local/share/bash-completion/completions/fleetdoc

# What follows option $2 of command $1: file, value, optional (a value unless it looks like an option) or nothing.
_fleetdoc_value() {
  case $1:$2 in
    *:--server-version-from|*:-c|*:--config|*:--ssh-config) echo file ;;
    *:-b|*:--broker|*:--server-version|*:--compatible|*:-t|*:--timeout|*:--ssh|*:--ssh-concurrency|*:--logs|*:--docker-label|*:--broker-transport-option|*:--rabbitmq-api) echo value ;;
    *:--docker) echo optional ;;
    queues:--queue|queues:--min-workers|queues:--unacked-age) echo value ;;
    stale:--listen|stale:--registry|stale:--healthy-timeout|stale:--stale-timeout|stale:--visibility-timeout) echo value ;;
    kill:--grace|kill:--listen|kill:--registry|kill:--healthy-timeout|kill:--stale-timeout|kill:--visibility-timeout) echo value ;;
    diagnose:--listen|diagnose:--registry|diagnose:--healthy-timeout|diagnose:--stale-timeout|diagnose:--visibility-timeout|diagnose:--only|diagnose:--skip|diagnose:--min-workers) echo value ;;
  esac
}

# Options of command $1, then the global ones (accepted before or after the command).
_fleetdoc_options() {
  case $1 in
    queues) echo '--queue --min-workers --unacked-age' ;;
    stale) echo '--listen --registry --healthy-timeout --stale-timeout --visibility-timeout' ;;
    kill) echo '--yes --grace --rm --incompatible --unversioned --mismatched --stale --listen --registry --healthy-timeout --stale-timeout --visibility-timeout' ;;
    diagnose) echo '--listen --registry --healthy-timeout --stale-timeout --visibility-timeout --only --skip --list-checks --min-workers -v --verbose' ;;
  esac
  echo '-V --version -b --broker --server-version --server-version-from --compatible -t --timeout --json --no-color -c --config --debug --docker --no-docker --ssh --ssh-config --ssh-concurrency --ssh-fast-kex --logs --docker-label --broker-transport-option --rabbitmq-api -h --help'
}

_fleetdoc_args() {
  case $1 in
    completion) echo 'bash zsh fish' ;;
    help) echo 'workers queues stale kill diagnose completion' ;;
  esac
}

_fleetdoc() {
  local cur=${COMP_WORDS[COMP_CWORD]} cmd='' npos=0 prev='' kind='' words=() w i n
  # bash splits words at = and : (COMP_WORDBREAKS): glue --opt=value and redis://host:6379 back together.
  for ((i = 1; i <= COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if ((i > 1)) && [[ $w =~ ^[=:]+$ || ${COMP_WORDS[i-1]} =~ ^[=:]+$ ]]; then words[-1]+=$w; else words+=("$w"); fi
  done
  n=$((${#words[@]} - 1)) # words[n] is the word being completed
  # The command is the first word that is neither an option nor an option's value.
  for ((i = 0; i < n; i++)); do
    w=${words[i]}
    case $w in
      -*=*) ;;
      -*)
        kind=$(_fleetdoc_value "$cmd" "$w")
        if [[ $kind == file || $kind == value ]]; then ((i++))
        elif [[ $kind == optional ]] && ((i + 1 < n)) && [[ ${words[i+1]} != -* ]]; then ((i++))
        fi ;;
      *) if [[ -z $cmd ]]; then cmd=$w; else ((++npos)); fi ;;
    esac
  done

  w=${words[n]}
  ((n > 0)) && prev=${words[n-1]}
  if [[ $w == -*=* ]]; then prev=${w%%=*} cur=${w#*=}; fi # --opt=value: complete the value
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
    mapfile -t COMPREPLY < <(compgen -W 'workers queues stale kill diagnose completion help' -- "$w")
  elif ((npos == 0)); then
    mapfile -t COMPREPLY < <(compgen -W "$(_fleetdoc_args "$cmd")" -- "$w")
  fi
}

complete -F _fleetdoc fleetdoc
