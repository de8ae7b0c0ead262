# fish completion for fleetdoc. Generated from the commander definitions by scripts/gen-docs.mjs: do not edit.
# Install: fleetdoc completion fish > ~/.config/fish/completions/fleetdoc.fish

# No file names unless an option asks for one.
complete -c fleetdoc -f

# Commands, until one is given.
complete -c fleetdoc -n 'not __fish_seen_subcommand_from workers queues stale kill diagnose completion help' -a workers -d 'list the workers, their release and whether they are compatible'
complete -c fleetdoc -n 'not __fish_seen_subcommand_from workers queues stale kill diagnose completion help' -a queues -d 'depth, unacked tasks and consumers per queue, and which queues are at risk'
complete -c fleetdoc -n 'not __fish_seen_subcommand_from workers queues stale kill diagnose completion help' -a stale -d 'find workers that are hung, unresponsive or gone, and stale registry entries'
complete -c fleetdoc -n 'not __fish_seen_subcommand_from workers queues stale kill diagnose completion help' -a kill -d 'stop exactly the workers named (dry run unless --yes)'
complete -c fleetdoc -n 'not __fish_seen_subcommand_from workers queues stale kill diagnose completion help' -a diagnose -d 'run every check over every source and say what is wrong and what to type'
complete -c fleetdoc -n 'not __fish_seen_subcommand_from workers queues stale kill diagnose completion help' -a completion -d 'print a shell completion script (bash, zsh or fish)'
complete -c fleetdoc -n 'not __fish_seen_subcommand_from workers queues stale kill diagnose completion help' -a help -d 'display help for command'

# Global options, before or after the command.
complete -c fleetdoc -s V -l version -d 'output the version number'
complete -c fleetdoc -s b -l broker -x -d 'broker URL (env CELERY_BROKER_URL, default redis://localhost:6379/0)'
complete -c fleetdoc -l server-version -x -d 'the server\'s release (env FLEETDOC_SERVER_VERSION)'
complete -c fleetdoc -l server-version-from -r -F -d 'read __version__ = "…" from a Python file'
complete -c fleetdoc -l compatible -x -d 'semver range of accepted releases (default: exactly the server version)'
complete -c fleetdoc -s t -l timeout -x -d 'how long to wait for worker replies (default 1.0)'
complete -c fleetdoc -l json -d 'print one JSON document on stdout'
complete -c fleetdoc -l no-color -d 'no colour (also NO_COLOR; FORCE_COLOR forces it)'
complete -c fleetdoc -s c -l config -r -F -d 'JSON config file (default $FLEETDOC_CONFIG, ./fleetdoc.json, ~/.config/fleetdoc/config.json)'
complete -c fleetdoc -l debug -d 'show stack traces on errors'
complete -c fleetdoc -l docker -d 'inspect this Docker engine: unix:///path, tcp://host:2376, ssh://user@host (repeatable; default: DOCKER_HOST or the local socket when present)'
complete -c fleetdoc -l no-docker -d 'do not inspect Docker'
complete -c fleetdoc -l ssh -x -d 'inspect worker processes on this SSH host: alias, user@host or host:port (repeatable or comma-separated)'
complete -c fleetdoc -l ssh-config -r -F -d 'ssh client config file (passed as ssh -F)'
complete -c fleetdoc -l ssh-concurrency -x -d 'SSH hosts queried at once (default 16)'
complete -c fleetdoc -l ssh-fast-kex -d 'prefer curve25519 key exchange over OpenSSH 9\'s post-quantum default: ~10x less CPU per host'
complete -c fleetdoc -l logs -x -d 'show the last N log lines of problem containers (default 0)'
complete -c fleetdoc -l docker-label -x -d 'only containers with this label (repeatable)'
complete -c fleetdoc -l broker-transport-option -x -d 'a kombu transport option, e.g. master_name=mymaster for Sentinel (repeatable)'
complete -c fleetdoc -l rabbitmq-api -x -d 'RabbitMQ management API (default: http://BROKER-HOST:15672 with the broker credentials)'
complete -c fleetdoc -s h -l help -d 'display help for command'

# queues
complete -c fleetdoc -n '__fish_seen_subcommand_from queues' -l queue -x -d 'also report this queue (repeatable)'
complete -c fleetdoc -n '__fish_seen_subcommand_from queues' -l min-workers -x -d 'fewest compatible consumers wanted, overall or per queue (repeatable; default 1)'
complete -c fleetdoc -n '__fish_seen_subcommand_from queues' -l unacked-age -x -d 'warn when an unresponsive worker holds unacked tasks older than this (default 10m)'

# stale
complete -c fleetdoc -n '__fish_seen_subcommand_from stale' -l listen -x -d 'listen to worker heartbeats this long (default 2.5; 0 = do not listen)'
complete -c fleetdoc -n '__fish_seen_subcommand_from stale' -l registry -x -d 'heartbeat registry over HTTP (repeatable)'
complete -c fleetdoc -n '__fish_seen_subcommand_from stale' -l healthy-timeout -x -d 'registry heartbeat age still healthy (env HEARTBEAT_TIMEOUT_SECONDS, default 300)'
complete -c fleetdoc -n '__fish_seen_subcommand_from stale' -l stale-timeout -x -d 'registry heartbeat age beyond which a worker is stale (env WORKER_TIMEOUT_SECONDS, default 600)'
complete -c fleetdoc -n '__fish_seen_subcommand_from stale' -l visibility-timeout -x -d 'the broker\'s visibility_timeout, for when unacked tasks come back (default 3600)'

# kill
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l yes -d 'act: without it, only print the plan'
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l grace -x -d 'wait this long after each gentler step (default 10)'
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l rm -d 'also remove stopped containers'
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l incompatible -d 'every incompatible worker (never a compatible, responsive one)'
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l unversioned -d 'every worker whose name carries no version'
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l mismatched -d 'every worker on another release'
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l stale -d 'every unresponsive, stale or gone worker (cleans ghost roster entries with --yes)'
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l listen -x -d 'listen to worker heartbeats this long (default 2.5; 0 = do not listen)'
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l registry -x -d 'heartbeat registry over HTTP (repeatable)'
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l healthy-timeout -x -d 'registry heartbeat age still healthy (env HEARTBEAT_TIMEOUT_SECONDS, default 300)'
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l stale-timeout -x -d 'registry heartbeat age beyond which a worker is stale (env WORKER_TIMEOUT_SECONDS, default 600)'
complete -c fleetdoc -n '__fish_seen_subcommand_from kill' -l visibility-timeout -x -d 'the broker\'s visibility_timeout, for when unacked tasks come back (default 3600)'

# diagnose
complete -c fleetdoc -n '__fish_seen_subcommand_from diagnose' -l listen -x -d 'listen to worker heartbeats this long (default 2.5; 0 = do not listen)'
complete -c fleetdoc -n '__fish_seen_subcommand_from diagnose' -l registry -x -d 'heartbeat registry over HTTP (repeatable)'
complete -c fleetdoc -n '__fish_seen_subcommand_from diagnose' -l healthy-timeout -x -d 'registry heartbeat age still healthy (env HEARTBEAT_TIMEOUT_SECONDS, default 300)'
complete -c fleetdoc -n '__fish_seen_subcommand_from diagnose' -l stale-timeout -x -d 'registry heartbeat age beyond which a worker is stale (env WORKER_TIMEOUT_SECONDS, default 600)'
complete -c fleetdoc -n '__fish_seen_subcommand_from diagnose' -l visibility-timeout -x -d 'the broker\'s visibility_timeout, for when unacked tasks come back (default 3600)'
complete -c fleetdoc -n '__fish_seen_subcommand_from diagnose' -l only -x -d 'run only these checks (comma-separated)'
complete -c fleetdoc -n '__fish_seen_subcommand_from diagnose' -l skip -x -d 'skip these checks (comma-separated)'
complete -c fleetdoc -n '__fish_seen_subcommand_from diagnose' -l list-checks -d 'print the check names and exit'
complete -c fleetdoc -n '__fish_seen_subcommand_from diagnose' -l min-workers -x -d 'fewest compatible consumers wanted per queue (repeatable)'
complete -c fleetdoc -n '__fish_seen_subcommand_from diagnose' -s v -l verbose -d 'show the evidence behind each finding'

# completion
complete -c fleetdoc -n '__fish_seen_subcommand_from completion; and not __fish_seen_subcommand_from bash zsh fish' -a 'bash zsh fish'

# help
complete -c fleetdoc -n '__fish_seen_subcommand_from help; and not __fish_seen_subcommand_from workers queues stale kill diagnose completion' -a 'workers queues stale kill diagnose completion'
