// The one command fleetdoc runs on an SSH host, and the reading of what it
// prints. The command is a constant: no fleet data is ever put into it.
//
// It runs under whatever login shell the user has (bash, zsh, fish, tcsh), so
// it is one `sh -c '…'` line with no single quote, no `!` and no newline in
// the script. Its own text never says "celery" (it greps for "[c]elery"), so
// the probe never finds itself.

import { AFTER_LOOP, EVIDENCE, EVIDENCE_LIMIT } from './probe-evidence.js';

// Bytes that must survive the trip (argv with NULs, odd encodings, a cwd with
// a newline) are base64-encoded, or hex where base64 is missing.
const SCRIPT = [
  'LC_ALL=C; export LC_ALL',
  'if command -v base64 >/dev/null 2>&1; then E=b64; else E=hex; fi',
  'enc() { if [ "$E" = b64 ]; then base64 | tr -d "\\n"; else od -An -v -tx1 | tr -d " \\n"; fi; echo; }',
  'echo "@@fleetdoc-probe 1"',
  'echo "@@hostname"; uname -n 2>/dev/null || cat /proc/sys/kernel/hostname 2>/dev/null',
  'echo "@@loadavg"; cat /proc/loadavg 2>/dev/null',
  'echo "@@meminfo"; grep -E "^Mem(Total|Available):" /proc/meminfo 2>/dev/null',
  'echo "@@uptime"; cat /proc/uptime 2>/dev/null',
  'echo "@@sysconf"; echo "$(getconf CLK_TCK 2>/dev/null) $(getconf PAGESIZE 2>/dev/null)"',
  'echo "@@ps"; if command -v ps >/dev/null 2>&1; then ps -ww -eo pid=,ppid=,stat=,etimes=,rss=,args= 2>/dev/null; ' +
    'echo "@@ps-exit $?"; else echo "@@ps-missing"; fi',
  // cmdline is the exact argv; stat stands in for ps when ps is missing.
  'for f in $(grep -l "[c]elery" /proc/[0-9]*/cmdline 2>/dev/null); do p=${f#/proc/}; p=${p%/cmdline}; echo "@@proc $p $E"',
  'cat "$f" 2>/dev/null | enc; cat "/proc/$p/stat" 2>/dev/null | enc; readlink "/proc/$p/cwd" 2>/dev/null | enc; P="$P $p"; done',
  ...EVIDENCE,
  ...AFTER_LOOP,
  // A dead NFS mount must not eat the whole deadline.
  'echo "@@df"; if command -v timeout >/dev/null 2>&1; then timeout 2 df -P -k 2>/dev/null; else df -P -k 2>/dev/null; fi',
  'echo "@@end"',
].join('; ');

export const PROBE_COMMAND = `sh -c '${SCRIPT}'`;

/** One process: a ps line, with the exact argv and cwd from /proc when it mentions celery. */
export interface Row {
  pid: number;
  ppid: number;
  /** ps STAT, e.g. Ssl, T, Z. */
  stat: string;
  elapsed_s: number;
  rss_kb: number;
  argv: string[];
  cwd: string | null;
}

export interface ProbeOutput {
  /** The start marker was there. */
  found: boolean;
  /** The end marker was there and nothing was cut. */
  complete: boolean;
  /** Lines by section name (hostname, loadavg, meminfo, df …). */
  sections: Map<string, string[]>;
  rows: Row[];
  /** 'missing' when the host has no ps, a number when ps failed. */
  ps: 'ok' | 'missing' | number;
  /** What the probe saw about brokers and supervisors, decoded but not yet read. */
  evidence: RawEvidence;
}

export interface RawEvidence {
  /** Per pid: its cgroup lines, "@@environ", then the chosen variables (or "@@unreadable"). */
  blobs: Map<number, string>;
  /** The `ls -l` digest: "s PID INODE", "n PID NETNS", "q PID", "x PID"; null when not read (no awk, cut short). */
  fds: string[] | null;
  /** TCP rows "local remote state inode" in /proc/net/tcp hex. */
  tcp: string[];
  /** Per .service: its name, then `systemctl show` lines. */
  units: string[];
  supervisords: { pid: number; argv: string[]; config: string | null; text: string }[];
}

const decoder = new TextDecoder('utf-8', { fatal: false });
const PS_LINE = /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\d+) ?(.*)$/s;

/** Splits the probe's stdout into sections and process rows. Pure; a cut anywhere is fine. */
export function readProbeOutput(output: Uint8Array | string): ProbeOutput {
  const text = typeof output === 'string' ? output : decoder.decode(output);
  const lines = text.split('\n');
  // Whatever follows the last newline was cut mid-line.
  const cutMidLine = lines.pop() !== '';
  const evidence: RawEvidence = { blobs: new Map(), fds: null, tcp: [], units: [], supervisords: [] };
  const out: ProbeOutput = { found: false, complete: false, sections: new Map(), rows: [], ps: 'ok', evidence };
  const start = lines.indexOf('@@fleetdoc-probe 1');
  if (start < 0) return out;
  out.found = true;
  const procs: string[][] = [];
  let section: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.startsWith('@@')) {
      section.push(line);
      continue;
    }
    const [tag, a, b] = line.slice(2).split(' ');
    // A record cut short is dropped whole; what follows the cut is not read.
    const take = (n: number) => (i + n < lines.length ? lines.slice(i + 1, (i += n) + 1) : null);
    if (tag === 'end') out.complete = !cutMidLine;
    else if (tag === 'ps-missing') out.ps = 'missing';
    else if (tag === 'ps-exit') out.ps = a === '0' ? 'ok' : Number(a);
    else if (tag === 'proc') {
      if (i + 3 >= lines.length) break; // cut inside the record
      procs.push([a, b, ...lines.slice(i + 1, i + 4)]);
      i += 3;
    } else if (tag === 'evidence' || tag === 'unit' || tag === 'superv') {
      const got = take(tag === 'superv' ? 3 : 1);
      if (!got) break;
      readEvidence(evidence, tag, tag === 'superv' ? b : a, tag === 'superv' ? a : null, got);
    } else if (tag === 'tcp') section = evidence.tcp;
    else if (tag === 'fds') section = evidence.fds ??= [];
    else if (tag === 'fds-missing') evidence.fds = null;
    else out.sections.set(tag, (section = []));
  }
  out.rows = readRows(out.sections, procs);
  return out;
}

function readEvidence(ev: RawEvidence, tag: string, encoding: string, pidText: string | null, got: string[]): void {
  if (tag === 'unit') ev.units.push(decodeText(got[0], encoding));
  else if (tag === 'evidence') splitBlobs(ev.blobs, decodeText(got[0], encoding));
  else if (/^\d{1,10}$/.test(pidText ?? '')) {
    const config = decodeText(got[1], encoding).replace(/\n$/, '');
    ev.supervisords.push({ pid: Number(pidText), argv: splitCmdline(decodeBytes(got[0], encoding)), config: config || null, text: decodeText(got[2], encoding) });
  }
}

// "@@pid N" opens each process's part. A pid seen twice means some value
// forged a marker line: both parts are dropped (unknown, not wrong).
function splitBlobs(blobs: Map<number, string>, text: string): void {
  const twice = new Set<number>();
  let pid: number | null = null;
  let lines: string[] = [];
  const flush = () => {
    if (pid === null) return;
    if (blobs.has(pid)) twice.add(pid);
    blobs.set(pid, lines.join('\n'));
  };
  for (const line of text.split('\n')) {
    const m = /^@@pid (\d{1,10})$/.exec(line);
    if (!m) {
      lines.push(line);
      continue;
    }
    flush();
    pid = Number(m[1]);
    lines = [];
  }
  flush();
  for (const p of twice) blobs.delete(p);
  // The probe stops at EVIDENCE_LIMIT bytes: the last part may be cut, and half an environment could mislead.
  if (pid !== null && Buffer.byteLength(text) >= EVIDENCE_LIMIT) blobs.delete(pid);
}

function readRows(sections: Map<string, string[]>, procs: string[][]): Row[] {
  const rows = new Map<number, Row>();
  for (const line of sections.get('ps') ?? []) {
    const m = PS_LINE.exec(line);
    if (!m) continue;
    rows.set(Number(m[1]), {
      pid: Number(m[1]), ppid: Number(m[2]), stat: m[3], elapsed_s: Number(m[4]), rss_kb: Number(m[5]),
      argv: m[6].split(/\s+/).filter((w) => w !== ''), cwd: null,
    });
  }
  const [uptime] = (sections.get('uptime')?.[0] ?? '').split(' ').map(Number);
  const [tick, page] = (sections.get('sysconf')?.[0] ?? '').split(' ').map((v) => Number(v) || 0);
  for (const [pidText, encoding, cmdline, stat, cwd] of procs) {
    if (!/^\d{1,10}$/.test(pidText)) continue;
    const pid = Number(pidText);
    const row = rows.get(pid) ?? fromStat(pid, decodeText(stat, encoding), uptime, tick || 100, page || 4096);
    if (!row) continue;
    const argv = splitCmdline(decodeBytes(cmdline, encoding));
    if (argv.length > 0) row.argv = argv;
    const dir = decodeText(cwd, encoding).replace(/\n$/, '');
    row.cwd = dir === '' || dir.endsWith(' (deleted)') ? null : dir;
    rows.set(pid, row);
  }
  return [...rows.values()];
}

// /proc/<pid>/stat: the fields after the `)` that closes comm (comm may hold anything).
function fromStat(pid: number, stat: string, uptime: number, tick: number, page: number): Row | null {
  const f = stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
  if (f.length < 22 || !/^\d+$/.test(f[1])) return null;
  const elapsed = Number.isFinite(uptime) ? Math.max(0, Math.round(uptime - Number(f[19]) / tick)) : 0;
  return { pid, ppid: Number(f[1]), stat: f[0], elapsed_s: elapsed, rss_kb: Math.round((Number(f[21]) * page) / 1024), argv: [], cwd: null };
}

// NUL-separated, NUL-terminated; every word decoded on its own so a bad byte
// spoils one word, not its neighbours.
function splitCmdline(bytes: Uint8Array): string[] {
  const argv: string[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0) continue;
    argv.push(decoder.decode(bytes.subarray(start, i)));
    start = i + 1;
  }
  if (start < bytes.length) argv.push(decoder.decode(bytes.subarray(start)));
  return argv;
}

function decodeText(text: string, encoding: string): string {
  return decoder.decode(decodeBytes(text, encoding));
}

function decodeBytes(text: string, encoding: string): Uint8Array {
  const s = text.trim();
  if (encoding === 'hex') return /^(?:[0-9a-f]{2})*$/i.test(s) ? Buffer.from(s, 'hex') : new Uint8Array();
  return Buffer.from(s, 'base64');
}
