#!/usr/bin/env bash
# fleetdoc test environment: brings up what the integration tests need on a
# Debian 12 (bookworm) machine, and takes it down again.
#
#   testenv.sh install        apt-install whatever is missing (idempotent)
#   testenv.sh up             install, start dockerd if needed, build the test
#                             image, make a throwaway SSH key, write $STATE/env
#   testenv.sh down           remove test containers, kill leftover test
#                             processes, stop dockerd if *we* started it
#   testenv.sh clean          like down, but never touches dockerd (safe to call
#                             from inside a test run)
#   testenv.sh run -- CMD...  up; CMD with $STATE/env exported; down (always;
#                             only clean when dockerd was already up);
#                             exits with CMD's exit code
#   testenv.sh status         print what is up
#
# Environment:
#   FLEETDOC_TEST_STATE   state dir (default /tmp/fleetdoc-testenv)
#   FLEETDOC_TEST_MIRROR  Debian mirror for debootstrap (default: read from
#                         the machine's apt sources at run time)
#
# Conventions the tests follow so that `down` can clean up after them:
#   * containers carry the label fleetdoc-test=1 (and fleetdoc-test.state=$STATE)
#   * processes the tests spawn (redis-server, celery workers) have
#     FLEETDOC_TEST=1 in their environment, or a pidfile in $STATE/pids/.
#     Caveat: redis-server rewrites its process title over the memory that
#     /proc/PID/environ shows, which hides the marker; start test redis
#     servers with `--set-proc-title no` (or give them a pidfile there).
set -euo pipefail

# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------

# Bump IMAGE_VERSION whenever the image recipe (package list, rootfs
# preparation, sshd drop-in) changes: it names both the image tag and the
# rootfs cache dir, so a stale cache can never be reused for a new recipe.
readonly IMAGE_VERSION=2
readonly IMAGE="fleetdoc-test:${IMAGE_VERSION}"
readonly SUITE=bookworm
# supervisor: the SSH evidence tests run a real supervisord on a test host.
readonly IMAGE_PACKAGES="celery,python3-celery,python3-redis,procps,openssh-server,supervisor"

readonly CACHE_DIR=/var/cache/fleetdoc-test
readonly ROOTFS="${CACHE_DIR}/rootfs-${IMAGE_VERSION}"
# Written only after debootstrap succeeded; kept *beside* the rootfs so it
# does not end up inside the image.
readonly ROOTFS_MARKER="${ROOTFS}.complete"
# A rootfs a manual probe run may have left behind; adopted if complete.
readonly PROBE_ROOTFS="${CACHE_DIR}/rootfs"

STATE="${FLEETDOC_TEST_STATE:-/tmp/fleetdoc-testenv}"
readonly STATE

# Debian's own docker client, pinned: /usr/local/bin/docker may be a newer
# client that negotiates differently with the distro daemon.
readonly DOCKER=/usr/bin/docker
readonly DOCKER_SOCK=/var/run/docker.sock
# Debian's python3 has celery; the PATH python3 may be a pyenv one without it.
readonly PYTHON=/usr/bin/python3

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly HERE

readonly APT_PACKAGES=(
  redis-server redis-sentinel openssl rabbitmq-server celery python3-celery python3-redis python3-amqp
  openssh-server openssh-client
  docker.io debootstrap
  procps iproute2 jq man-db
  # supervisor: real supervisord runs workers in test/integration/ssh-evidence.test.ts.
  supervisor
  # zsh and fish check the generated completion scripts (test/unit/completion.test.ts).
  zsh fish
  # metrics: promtool and a real Prometheus scraping --listen; watch runs in a real terminal (tmux).
  prometheus tmux
)

# The marker the tests put into the environment of processes they start.
# This script must never carry it itself: otherwise `down` would find its
# own helper processes (grep, subshells) among the ones to kill.
unset FLEETDOC_TEST

export DEBIAN_FRONTEND=noninteractive
# needrestart (if present) would scan every process after each install: skip it.
export NEEDRESTART_SUSPEND=1
export LC_ALL=C

log() { printf 'testenv: %s\n' "$*" >&2; }
die() { printf 'testenv: error: %s\n' "$*" >&2; exit 1; }

ensure_state_dir() {
  # 0700: the state dir holds a private key.
  mkdir -p "$STATE" "$STATE/pids"
  chmod 700 "$STATE"
}

# ---------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == "ii"* ]]
}

cmd_install() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    is_installed "$p" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0

  [[ $EUID -eq 0 ]] || die "need root to install: ${missing[*]}"
  ensure_state_dir
  local aptlog="$STATE/apt.log"
  log "installing ${missing[*]}"

  # Without systemd, maintainer scripts start services straight from
  # /etc/init.d: a system redis on :6379 and an sshd on 0.0.0.0:22 would
  # then squat ports the tests use. policy-rc.d (exit 101 = "not allowed")
  # is Debian's standard way to stop that. Only add it if none exists, and
  # only for the duration of the install.
  local policy=/usr/sbin/policy-rc.d ours_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# temporary, from fleetdoc test/env/testenv.sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    ours_policy=1
  fi

  local rc=0
  # Quiet on success; the whole log is shown on failure. `update` only now
  # that something is missing, and only once.
  {
    apt-get update -qq &&
      apt-get install -y -qq "${missing[@]}"
  } >"$aptlog" 2>&1 || rc=$?

  ((ours_policy)) && rm -f "$policy"
  if ((rc)); then
    cat "$aptlog" >&2
    die "apt-get failed (exit $rc); log in $aptlog"
  fi
}

# ---------------------------------------------------------------------------
# dockerd
# ---------------------------------------------------------------------------

docker_ok() { "$DOCKER" info >/dev/null 2>&1; }

# pid of the dockerd this script started, if it is still alive.
our_dockerd_pid() {
  local f="$STATE/dockerd.ours" pid
  [[ -s $f ]] || return 1
  pid="$(<"$f")"
  [[ $pid =~ ^[0-9]+$ && -d /proc/$pid ]] || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]] || return 1
  printf '%s\n' "$pid"
}

ensure_dockerd() {
  docker_ok && return 0
  command -v dockerd >/dev/null || die "dockerd not found (is docker.io installed?)"
  log "dockerd is not answering; starting it (log: $STATE/dockerd.log)"

  # setsid: own session and process group, so a Ctrl-C aimed at `run` does
  # not hit dockerd too; our EXIT trap stops it in order instead. In a
  # non-interactive script the background child is not a group leader, so
  # setsid execs dockerd without forking and $! is dockerd's pid.
  setsid dockerd --pidfile "$STATE/dockerd.pid" \
    >>"$STATE/dockerd.log" 2>&1 </dev/null &
  local pid=$!
  # Remember that we own this daemon *before* waiting, so an interrupt
  # during the wait still lets `down` stop it.
  printf '%s\n' "$pid" >"$STATE/dockerd.ours"

  local i
  for ((i = 0; i < 120; i++)); do # 120 x 0.5 s = 60 s
    if [[ -S $DOCKER_SOCK ]] && docker_ok; then
      return 0
    fi
    if [[ ! -d /proc/$pid ]]; then
      rm -f "$STATE/dockerd.ours"
      tail -n 30 "$STATE/dockerd.log" >&2 || true
      die "dockerd exited during startup"
    fi
    sleep 0.5
  done
  tail -n 30 "$STATE/dockerd.log" >&2 || true
  stop_our_dockerd
  die "dockerd did not come up within 60 s"
}

stop_our_dockerd() {
  local pid i
  if pid="$(our_dockerd_pid)"; then
    log "stopping dockerd (pid $pid, started by testenv)"
    kill -TERM "$pid" 2>/dev/null || true
    # dockerd stops its containerd and cleans up its socket on SIGTERM;
    # give it time to do so before resorting to SIGKILL.
    for ((i = 0; i < 60; i++)); do
      [[ -d /proc/$pid ]] || break
      sleep 0.5
    done
    if [[ -d /proc/$pid ]]; then
      log "dockerd did not stop in 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$STATE/dockerd.ours"
}

# ---------------------------------------------------------------------------
# test image
# ---------------------------------------------------------------------------

# The Debian mirror, read from this machine's apt sources at run time (never
# hard-coded). deb822 *.sources stanzas and one-line *.list entries are both
# understood; the first "deb" source carrying the bookworm suite wins.
mirror_url() {
  if [[ -n ${FLEETDOC_TEST_MIRROR:-} ]]; then
    printf '%s\n' "$FLEETDOC_TEST_MIRROR"
    return
  fi
  local files=() f
  [[ -e /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -e $f ]] && files+=("$f")
  done
  ((${#files[@]})) || return 1

  local url
  url="$(
    for f in "${files[@]}"; do
      case $f in
        *.sources) awk -v suite="$SUITE" '
          function flush() {
            if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no" &&
                (" " suites " ") ~ ("[ \t]" suite "[ \t]")) {
              n = split(uris, u, /[ \t]+/)
              for (i = 1; i <= n; i++) if (u[i] ~ /^(https?|file):/) { print u[i]; break }
            }
            types = suites = uris = enabled = ""
          }
          /^[ \t]*#/ { next }
          /^[ \t]*$/ { flush(); next }
          /^[ \t]/   { next }   # continuation lines: not used for these keys
          {
            i = index($0, ":"); if (!i) next
            key = tolower(substr($0, 1, i - 1)); val = substr($0, i + 1)
            gsub(/^[ \t]+|[ \t]+$/, "", val)
            if (key == "types") types = val
            else if (key == "uris") uris = val
            else if (key == "suites") suites = val
            else if (key == "enabled") enabled = tolower(val)
          }
          END { flush() }' "$f" ;;
        *) awk -v suite="$SUITE" '
          $1 == "deb" {
            i = 2
            if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
            if ($(i + 1) == suite && $i ~ /^(https?|file):/) print $i
          }' "$f" ;;
      esac
    done | sed -n 1p # not `head`: an early exit would SIGPIPE awk under pipefail
  )"
  [[ -n $url ]] || return 1
  printf '%s\n' "$url"
}

# A complete debootstrap leaves no /debootstrap dir behind and has every
# package configured; we also need the binaries the tests rely on.
rootfs_looks_complete() {
  local r=$1
  [[ -x $r/usr/bin/celery && -x $r/usr/sbin/sshd && -x $r/usr/bin/python3 &&
    -x $r/usr/bin/ps && -f $r/var/lib/dpkg/status && ! -e $r/debootstrap ]] || return 1
  [[ -d $r/usr/lib/python3/dist-packages/redis ]] || return 1
  ! grep '^Status:' "$r/var/lib/dpkg/status" | grep -qv 'install ok installed'
}

ensure_rootfs() {
  [[ -f $ROOTFS_MARKER && -d $ROOTFS ]] && return 0
  mkdir -p "$CACHE_DIR"

  # Adopt a rootfs left by an earlier manual probe (same recipe) instead of
  # downloading ~100 MB again.
  if [[ ! -e $ROOTFS && -d $PROBE_ROOTFS ]] && rootfs_looks_complete "$PROBE_ROOTFS"; then
    log "adopting existing rootfs $PROBE_ROOTFS as $ROOTFS"
    mv "$PROBE_ROOTFS" "$ROOTFS"
    touch "$ROOTFS_MARKER"
    return 0
  fi

  # Anything here without the marker is a half-finished debootstrap; it
  # cannot be resumed reliably, so start over in a scratch dir and move it
  # into place only when it is done.
  local tmp="${ROOTFS}.tmp" mirror
  rm -rf "$tmp" "$ROOTFS"
  mirror="$(mirror_url)" || die "could not find a Debian mirror for '$SUITE' in /etc/apt/sources.list{,.d/}; set FLEETDOC_TEST_MIRROR"
  log "debootstrap $SUITE into $tmp (a few minutes; log: $STATE/debootstrap.log)"
  if ! debootstrap --variant=minbase --include="$IMAGE_PACKAGES" \
    "$SUITE" "$tmp" "$mirror" >"$STATE/debootstrap.log" 2>&1; then
    tail -n 30 "$STATE/debootstrap.log" >&2 || true
    rm -rf "$tmp"
    die "debootstrap failed; log in $STATE/debootstrap.log"
  fi
  rootfs_looks_complete "$tmp" || die "debootstrap finished but $tmp looks incomplete"
  mv "$tmp" "$ROOTFS"
  touch "$ROOTFS_MARKER"
}

# Make the rootfs ready to run sshd as PID 1 of a container. Idempotent, so
# it is simply redone before every import.
prepare_rootfs() {
  local r=$ROOTFS
  # sshd's privilege-separation dir; normally made by the init script.
  mkdir -p "$r/run/sshd"
  chmod 755 "$r/run/sshd"
  # Host keys: the package's postinst usually made them already; -A only
  # creates missing ones, and -f makes the host's ssh-keygen write into the
  # rootfs (no chroot needed). All test hosts share them, which is fine:
  # clients run with StrictHostKeyChecking no.
  mkdir -p "$r/etc/ssh"
  ssh-keygen -q -A -f "$r"
  # Root login by key only, no PAM; see the file for why.
  install -D -m 644 "$HERE/sshd/fleetdoc-test.conf" \
    "$r/etc/ssh/sshd_config.d/fleetdoc-test.conf"
  install -d -m 700 "$r/root/.ssh"
}

ensure_image() {
  "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1 && return 0

  # Two concurrent `up`s (say, two checkouts) must not debootstrap into the
  # same cache dir at once.
  mkdir -p "$CACHE_DIR"
  local lock_fd
  exec {lock_fd}>"$CACHE_DIR/.lock"
  flock "$lock_fd"
  if ! "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
    ensure_rootfs
    prepare_rootfs
    log "importing $ROOTFS as $IMAGE"
    # apt's package lists and downloaded .debs are ~100 MB nobody needs in
    # the image; /proc, /sys and /dev are provided by the runtime.
    tar --numeric-owner -C "$ROOTFS" \
      --exclude='./var/cache/apt/archives/*.deb' \
      --exclude='./var/cache/apt/*.bin' \
      --exclude='./var/lib/apt/lists/*' \
      --exclude='./proc/*' --exclude='./sys/*' \
      -c . |
      "$DOCKER" import \
        --change 'CMD ["/bin/bash"]' \
        --change 'ENV LANG=C.UTF-8' \
        --change "LABEL org.fleetdoc.test-image=${IMAGE_VERSION}" \
        - "$IMAGE" >/dev/null
  fi
  flock -u "$lock_fd"
  exec {lock_fd}>&-
}

# ---------------------------------------------------------------------------
# ssh key + env file
# ---------------------------------------------------------------------------

ensure_ssh() {
  local d="$STATE/ssh"
  mkdir -p "$d"
  chmod 700 "$d"
  if [[ ! -f $d/id_ed25519 || ! -f $d/id_ed25519.pub ]]; then
    rm -f "$d/id_ed25519" "$d/id_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C fleetdoc-test -f "$d/id_ed25519"
  fi
  # Rewritten every time: cheap, and keeps it in step with this script.
  cat >"$d/config" <<EOF
# Written by test/env/testenv.sh: for the throwaway test "hosts" only.
Host *
  User root
  IdentityFile $d/id_ed25519
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  GlobalKnownHostsFile /dev/null
  LogLevel ERROR
  BatchMode yes
  PasswordAuthentication no
  ConnectTimeout 5
EOF
}

# A throwaway CA, a server certificate for 127.0.0.1/localhost and a client
# certificate, for the Redis-over-TLS tests. Made once; kept while complete.
ensure_tls() {
  local d="$STATE/tls" f complete=1
  for f in ca.pem ca.key server.pem server.key client.pem client.key; do
    [[ -s $d/$f ]] || complete=0
  done
  ((complete)) && return 0
  mkdir -p "$d"
  chmod 700 "$d"
  rm -f "$d"/*.pem "$d"/*.key "$d"/*.srl "$d"/*.csr "$d"/*.ext
  local days=3650
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
    -subj '/CN=fleetdoc test CA' -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  local who
  for who in server client; do
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=fleetdoc test $who" \
      -keyout "$d/$who.key" -out "$d/$who.csr" 2>/dev/null
    if [[ $who == server ]]; then
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/$who.ext"
    else
      printf 'extendedKeyUsage=clientAuth\n' >"$d/$who.ext"
    fi
    openssl x509 -req -sha256 -days "$days" -in "$d/$who.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
      -CAcreateserial -extfile "$d/$who.ext" -out "$d/$who.pem" 2>/dev/null
    rm -f "$d/$who.csr" "$d/$who.ext"
  done
  rm -f "$d"/*.srl
  # redis-server and the test processes run as this user; nobody else needs them.
  chmod 600 "$d"/*.key
  log "made a throwaway CA and certificates in $d"
}

write_env() {
  local tmp="$STATE/env.tmp"
  {
    printf '# Written by test/env/testenv.sh up; shell KEY=value lines.\n'
    printf '%s=%q\n' \
      FLEETDOC_TEST_IMAGE "$IMAGE" \
      FLEETDOC_TEST_SSH_KEY "$STATE/ssh/id_ed25519" \
      FLEETDOC_TEST_SSH_PUBKEY "$STATE/ssh/id_ed25519.pub" \
      FLEETDOC_TEST_SSH_CONFIG "$STATE/ssh/config" \
      FLEETDOC_TEST_PYTHON "$PYTHON" \
      FLEETDOC_TEST_DOCKER "$DOCKER" \
      FLEETDOC_TEST_STATE "$STATE" \
      FLEETDOC_TEST_TLS_CA "$STATE/tls/ca.pem" \
      FLEETDOC_TEST_TLS_CERT "$STATE/tls/server.pem" \
      FLEETDOC_TEST_TLS_KEY "$STATE/tls/server.key" \
      FLEETDOC_TEST_TLS_CLIENT_CERT "$STATE/tls/client.pem" \
      FLEETDOC_TEST_TLS_CLIENT_KEY "$STATE/tls/client.key"
  } >"$tmp"
  mv "$tmp" "$STATE/env"
}

cmd_up() {
  cmd_install
  ensure_state_dir
  ensure_dockerd
  ensure_image
  ensure_ssh
  ensure_tls
  write_env
  log "up: image $IMAGE, env in $STATE/env"
}

# ---------------------------------------------------------------------------
# down / clean
# ---------------------------------------------------------------------------

remove_test_containers() {
  docker_ok || return 0
  local id st ids=()
  # Containers from another state dir (a concurrent checkout's run) are left
  # alone; unscoped ones (label only) are ours to remove.
  while read -r id st; do
    [[ -n $id ]] || continue
    [[ -z $st || $st == "<no value>" || $st == "$STATE" ]] && ids+=("$id")
  done < <("$DOCKER" ps -a --filter label=fleetdoc-test=1 \
    --format '{{.ID}} {{.Label "fleetdoc-test.state"}}' 2>/dev/null || true)
  if ((${#ids[@]})); then
    log "removing ${#ids[@]} test container(s)"
    "$DOCKER" rm -f "${ids[@]}" >/dev/null 2>&1 || true
  fi
}

# Alive and not a zombie (a zombie is dead, just not reaped yet).
proc_alive() {
  local s
  s="$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)" || return 1
  [[ -n $s && $s != Z && $s != X ]]
}

kill_test_processes() {
  # Never kill ourselves or whatever started us (vitest, npm, a shell that
  # happens to carry FLEETDOC_TEST=1).
  local -A protect=([$$]=1 [$BASHPID]=1)
  local p=$$
  while [[ -n $p && $p -gt 1 ]]; do
    protect[$p]=1
    p="$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)" || break
  done

  local -a victims=()
  local d pid st f

  # 1. Processes the tests marked with FLEETDOC_TEST=1 (environ is a list
  #    of NUL-terminated entries, hence grep -z -x). Ones carrying another
  #    FLEETDOC_TEST_STATE belong to a different test environment.
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [[ -z ${protect[$pid]:-} ]] || continue
    grep -qzx 'FLEETDOC_TEST=1' "$d/environ" 2>/dev/null || continue
    st="$(grep -zx 'FLEETDOC_TEST_STATE=.*' "$d/environ" 2>/dev/null | tr -d '\0')" || true
    st=${st#FLEETDOC_TEST_STATE=}
    [[ -z $st || $st == "$STATE" ]] || continue
    victims+=("$pid")
  done

  # 2. Pidfiles. Guard against pid reuse: the process must have started no
  #    later than the pidfile was written (+2 s slack).
  if [[ -d $STATE/pids ]]; then
    local btime hz start mtime
    btime="$(awk '/^btime/ {print $2}' /proc/stat)"
    hz="$(getconf CLK_TCK)"
    for f in "$STATE"/pids/*.pid; do
      [[ -f $f ]] || continue
      pid="$(tr -dc '0-9' <"$f")"
      mtime="$(stat -c %Y "$f")"
      rm -f "$f"
      [[ -n $pid && -d /proc/$pid && -z ${protect[$pid]:-} ]] || continue
      # Field 22 of /proc/PID/stat, counted after the ")" that ends comm.
      start="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $20}')" || continue
      [[ -n $start ]] || continue
      (( btime + start / hz <= mtime + 2 )) || continue
      victims+=("$pid")
    done
  fi

  ((${#victims[@]})) || return 0
  log "stopping ${#victims[@]} leftover test process(es)"
  kill -TERM "${victims[@]}" 2>/dev/null || true
  local i left
  for ((i = 0; i < 50; i++)); do # up to 5 s for a clean shutdown
    left=0
    for pid in "${victims[@]}"; do proc_alive "$pid" && left=1; done
    ((left)) || return 0
    sleep 0.1
  done
  for pid in "${victims[@]}"; do
    if proc_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
}

cmd_clean() {
  remove_test_containers
  kill_test_processes
}

cmd_down() {
  cmd_clean
  stop_our_dockerd
}

# ---------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------

RUN_CHILD=

# A signal while the command runs: pass it on, give the command up to 10 s
# to finish, then leave (the EXIT trap does `down`).
on_run_signal() {
  local sig=$1 code=$2 i
  if [[ -n $RUN_CHILD ]]; then
    kill -s "$sig" "$RUN_CHILD" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$RUN_CHILD" 2>/dev/null || break
      sleep 0.1
    done
    kill -s KILL "$RUN_CHILD" 2>/dev/null || true
  fi
  exit "$code"
}

cmd_run() {
  [[ ${1:-} == -- ]] && shift
  (($#)) || die "usage: testenv.sh run -- COMMAND [ARGS...]"

  # `down` runs however we leave: normal end, failure of `up` or of the
  # command, Ctrl-C, TERM (e.g. from `timeout`). The EXIT trap keeps the
  # exit status it was given. A dockerd that was already answering is left
  # running (`clean`): another checkout's `up` may have started it and be
  # using it, with the same state dir.
  RUN_HAD_DOCKERD=0
  docker_ok && RUN_HAD_DOCKERD=1
  trap 'rc=$?; trap - EXIT INT TERM HUP; set +e; if ((RUN_HAD_DOCKERD)); then cmd_clean; else cmd_down; fi; exit "$rc"' EXIT
  trap 'on_run_signal INT 130' INT
  trap 'on_run_signal TERM 143' TERM
  trap 'on_run_signal HUP 129' HUP

  cmd_up

  # The command runs in the background and we `wait` for it: bash runs a
  # trap only once the foreground command has finished, but it does
  # interrupt `wait`, so a TERM sent to this script alone (as `timeout`
  # does) is acted on at once. `<&0` keeps stdin, which bash would
  # otherwise point at /dev/null for a background command. The subshell
  # keeps the exported variables to the command.
  (
    set -a
    # shellcheck source=/dev/null
    . "$STATE/env"
    set +a
    exec "$@"
  ) <&0 &
  RUN_CHILD=$!
  local rc=0
  wait "$RUN_CHILD" || rc=$?
  RUN_CHILD=
  exit "$rc"
}

# ---------------------------------------------------------------------------
# status
# ---------------------------------------------------------------------------

cmd_status() {
  local pid
  if docker_ok; then
    if pid="$(our_dockerd_pid)"; then
      echo "dockerd:    up (started by testenv, pid $pid)"
    else
      echo "dockerd:    up (not started by testenv; down leaves it running)"
    fi
    if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
      echo "image:      $IMAGE present"
    else
      echo "image:      $IMAGE missing"
    fi
    echo "containers: $("$DOCKER" ps -aq --filter label=fleetdoc-test=1 | wc -l) labelled fleetdoc-test=1"
  else
    echo "dockerd:    not answering"
  fi
  if [[ -f $ROOTFS_MARKER ]]; then
    echo "rootfs:     $ROOTFS (complete)"
  else
    echo "rootfs:     $ROOTFS not built"
  fi
  if [[ -f $STATE/ssh/id_ed25519 ]]; then
    echo "ssh key:    $STATE/ssh/id_ed25519"
  else
    echo "ssh key:    none"
  fi
  if [[ -f $STATE/env ]]; then
    echo "env file:   $STATE/env"
  else
    echo "env file:   none (run up)"
  fi
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  case $cmd in
    install) cmd_install ;;
    up) cmd_up ;;
    down) cmd_down ;;
    clean) cmd_clean ;;
    run) cmd_run "$@" ;;
    status) cmd_status ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
