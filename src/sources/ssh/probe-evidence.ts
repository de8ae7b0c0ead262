// The evidence part of the SSH probe's script: which broker each worker was
// told to use and what restarts it. Same rules as the rest of the probe (see
// probe.ts): constant text, no single quote, no `!`, no newline, and it never
// spells the names it greps for.

// Evidence of which broker a worker uses and what restarts it, read after the
// loop for all workers at once (a fork per file, not per fact), in one blob
// of at most 256 KiB: per pid its cgroup's systemd lines (name=systemd, or
// the unified 0::), then only the environment variables named here (NULs
// become newlines and newlines \001, so a value cannot start a line;
// "@@unreadable" when we may not read it).
export const EVIDENCE_LIMIT = 262144;
/** Socket inodes listed per process, and TCP rows per namespace: a list that reaches its cap may be missing the broker's socket. */
export const SOCKETS_PER_PID = 64;
export const TCP_ROWS = 4096;
const ENV_NAMES = 'CELERY_BROKER_URL|BROKER_URL|CELERY_BROKER|SUPERVISOR_PROCESS_NAME|SUPERVISOR_GROUP_NAME|SUPERVISOR_ENABLED|KUBERNETES_SERVICE_HOST|INVOCATION_ID';
export const EVIDENCE = [
  'if [ -n "$P" ]; then echo "@@evidence $E"; for p in $P; do echo "@@pid $p"; cat "/proc/$p/cgroup" 2>/dev/null; echo "@@environ"; ' +
    String.raw`tr "\000\n" "\n\001" 2>/dev/null < "/proc/$p/environ" || echo "@@unreadable"; done | ` +
    `grep -E "^[0-9]+:(name=systemd)?:|^@@|^(${ENV_NAMES})=" | head -c ${EVIDENCE_LIMIT} | enc; fi`,
];
// After the loop, one `ls -l` over every worker's fd dir and network
// namespace gives its socket inodes (at most SOCKETS_PER_PID each; "x PID" = fds
// unreadable) and one process per namespace ("q PID"), whose TCP tables keep
// only ESTABLISHED (01) and SYN_SENT (02) rows of those inodes. Each
// .service in the cgroups is asked about once; user units (under
// user@N.service) are not. Then each supervisord's config: section headers
// and the few keys that say what restarts (never command= or environment=,
// which may hold secrets). The script never spells that program's name, so
// it cannot find itself.
const FDS_AWK = String.raw`/^\/proc\/[0-9]+\/fd:\$/{split(\$1,a,\"/\");p=a[3];next} ` +
  String.raw`/-> socket:\[/{if(length(p)&&c[p]++<${SOCKETS_PER_PID}){i=\$NF;gsub(/[^0-9]/,\"\",i);print \"s\",p,i};next} ` +
  String.raw`/\/ns\/net -> /{split(\$(NF-2),a,\"/\");if(\$NF in m){}else{m[\$NF]=1;print \"q\",a[3]};print \"n\",a[3],\$NF;next} ` +
  String.raw`/^ls:.*\/proc\/[0-9]+\/fd/{if(match(\$0,/\/proc\/[0-9]+\/fd/))print \"x\",substr(\$0,RSTART+6,RLENGTH-9)}`;
const TCP_AWK = String.raw`\$1==\"s\"{w[\$3]=1;next} (\$4==\"01\"||\$4==\"02\")&&(\$10 in w){print \$2,\$3,\$4,\$10}`;
export const AFTER_LOOP = [
  'if [ -z "$P" ]; then :; elif command -v awk >/dev/null 2>&1; then ' +
    `R=$(ls -l $(for p in $P; do echo "/proc/$p/ns/net /proc/$p/fd"; done) 2>&1 | awk "${FDS_AWK}"); echo "@@fds"; echo "$R"; ` +
    `for q in $(echo "$R" | sed -n "s/^q //p"); do echo "@@tcp $q"; { echo "$R"; cat "/proc/$q/net/tcp" "/proc/$q/net/tcp6" 2>/dev/null; } | ` +
    `awk "${TCP_AWK}" | head -n ${TCP_ROWS}; done; else echo "@@fds-missing"; fi`,
  // One cat for every cgroup file (with no $P, cat would read stdin).
  String.raw`if [ -n "$P" ] && command -v systemctl >/dev/null 2>&1; then for u in $(cat $(for p in $P; do echo "/proc/$p/cgroup"; done) 2>/dev/null | ` +
    String.raw`sed -n "/\/user@/d; s|.*/\([-A-Za-z0-9:_.@\]*\.service\)\(/.*\)\{0,1\}$|\1|p" | sort -u | head -n 64)`,
  'do echo "@@unit $E"; { echo "$u"; systemctl show -p FragmentPath -p ExecStart -p Restart -- "$u" 2>/dev/null; } | head -c 8192 | enc; done; fi',
  'for f in $(grep -l "[s]upervisord" /proc/[0-9]*/cmdline 2>/dev/null); do p=${f#/proc/}; p=${p%/cmdline}',
  String.raw`c=$(tr "\000" "\n" < "$f" 2>/dev/null | sed -n "/^-c$/{n;p;q;};/^--configuration$/{n;p;q;};s/^--configuration=//p;s/^-c\(..*\)$/\1/p" | head -n 1)`,
  'for d in /etc/supervisor/[s]upervisord.conf /etc/[s]upervisord.conf; do [ -z "$c" ] && [ -r "$d" ] && c=$d; done',
  'case "$c" in /*|"") ;; *) c="$(readlink "/proc/$p/cwd" 2>/dev/null)/$c";; esac',
  'echo "@@superv $p $E"; cat "$f" 2>/dev/null | enc; echo "$c" | enc',
  '( cd "${c%/*}" 2>/dev/null && cat "$c" && for g in $(sed -n "/^\\[include\\]/,/^\\[/s/^files *= *//p" "$c"); do cat "$g"; done ) 2>/dev/null | ' +
    'grep -E "^\\[|^(autorestart|numprocs|process_name|programs) *=" | head -c 65536 | enc; done',
];
