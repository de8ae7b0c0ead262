// The probe's evidence about brokers and supervisors, read into plain values:
// environment and cgroup per process, TCP connections matched by socket
// inode, `systemctl show` per unit, supervisord's autorestart per program.
// Pure; any text in, never a throw.
import type { Connection } from '../../model/types.js';
import { isSupervisord, type UnitInfo } from '../../model/worker/supervisor.js';
import type { RawEvidence } from './probe.js';
import { SOCKETS_PER_PID, TCP_ROWS } from './probe-evidence.js';

const STATES: Record<string, Connection['state']> = { '01': 'ESTABLISHED', '02': 'SYN_SENT' };
const MAX_CONNECTIONS = 32;

export interface ProcEvidence {
  env: Record<string, string> | null;
  cgroup: string | null;
  connections: Connection[] | null;
  netns: string | null;
}

export interface Evidence {
  of(pid: number): ProcEvidence;
  units: Map<string, UnitInfo>;
  autorestart(group: string | null, process: string | null, supervisordPid: number | null): string | null;
}

/** `complete`: the probe ran to its end; a cut probe may have lost a process's broker socket. */
export function readEvidence(raw: RawEvidence, complete = true): Evidence {
  const sockets = new Map<number, number[]>();
  const unreadable = new Set<number>();
  const netns = new Map<number, string>();
  for (const line of raw.fds ?? []) {
    const [tag, pid, inode] = line.trim().split(/\s+/);
    if (!/^\d{1,10}$/.test(pid ?? '')) continue;
    if (tag === 'x') unreadable.add(Number(pid));
    else if (tag === 'n' && /^net:\[\d{1,20}\]$/.test(inode ?? '')) netns.set(Number(pid), inode);
    else if (tag === 's' && /^\d{1,20}$/.test(inode ?? '')) sockets.set(Number(pid), [...(sockets.get(Number(pid)) ?? []), Number(inode)]);
  }
  const byInode = new Map<number, Connection>();
  for (const row of raw.tcp) {
    const [local, remote, st, inode] = row.trim().split(/\s+/);
    const c = STATES[st ?? ''] && /^\d{1,20}$/.test(inode ?? '') ? { local: endpoint(local), remote: endpoint(remote), state: STATES[st] } : null;
    if (c && c.local && c.remote) byInode.set(Number(inode), c as Connection);
  }
  const configs = raw.supervisords.filter((s) => isSupervisord(s.argv)).map((s) => ({ pid: s.pid, programs: readSupervisordConfig(s.text) }));
  return {
    of(pid) {
      const blob = raw.blobs.get(pid);
      const { env, cgroup } = blob === undefined ? { env: null, cgroup: null } : readBlob(blob);
      // No namespace line: its /proc entries were closed to us (or it was gone). A list cut by the
      // probe's deadline or caps is not a whole one: "no connection to the broker" needs a whole one.
      const whole = complete && (sockets.get(pid)?.length ?? 0) < SOCKETS_PER_PID && raw.tcp.length < TCP_ROWS;
      const connections = unreadable.has(pid) || !netns.has(pid) || !whole ? null
        : (sockets.get(pid) ?? []).flatMap((i) => byInode.get(i) ?? []).slice(0, MAX_CONNECTIONS);
      return { env, cgroup, connections, netns: netns.get(pid) ?? null };
    },
    units: readUnits(raw.units),
    autorestart(group, process, supervisordPid) {
      const mine = configs.filter((c) => supervisordPid === null || c.pid === supervisordPid);
      const config = mine.length === 1 ? mine[0] : configs.length === 1 ? configs[0] : null;
      return config ? programRestart(config.programs, group, process) : null;
    },
  };
}

/** cgroup lines, "@@environ", then NAME=value lines (\001 stands for a newline in a value). */
export function readBlob(blob: string): { env: Record<string, string> | null; cgroup: string | null } {
  const lines = blob.split('\n');
  const mark = lines.indexOf('@@environ');
  const cg = (mark < 0 ? lines : lines.slice(0, mark)).filter((l) => /^\d+:/.test(l)).join('\n');
  if (mark < 0) return { env: null, cgroup: cg || null };
  const rest = lines.slice(mark + 1);
  if (rest.includes('@@unreadable')) return { env: null, cgroup: cg || null };
  const env: Record<string, string> = Object.create(null);
  for (const l of rest) {
    const m = /^([A-Z_]+)=(.*)$/s.exec(l);
    if (m) env[m[1]] = m[2].replace(/\x01/g, '\n');
  }
  return { env, cgroup: cg || null };
}

// /proc/net/tcp: IPv4 as one little-endian word, IPv6 as four; the port big-endian.
export function endpoint(hex: string | undefined): string | null {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(hex ?? '');
  if (!m) return null;
  const port = parseInt(m[2], 16);
  const words = m[1].match(/.{8}/g)!.map((w) => Buffer.from(w, 'hex').reverse());
  if (words.length === 1) return `${[...words[0]].join('.')}:${port}`;
  const bytes = Buffer.concat(words);
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `${[...bytes.subarray(12)].join('.')}:${port}`;
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  return `[${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::')}]:${port}`;
}

/** Each blob: the unit name, then Key=value lines from `systemctl show`. */
export function readUnits(blobs: string[]): Map<string, UnitInfo> {
  const units = new Map<string, UnitInfo>();
  for (const blob of blobs) {
    const [name, ...lines] = blob.split('\n');
    if (!/\.service$/.test(name ?? '')) continue;
    const get = (key: string) => {
      const l = lines.find((x) => x.startsWith(`${key}=`));
      const v = l?.slice(key.length + 1).trim();
      return v ? v : null;
    };
    if (lines.some((l) => /^(Restart|ExecStart|FragmentPath)=/.test(l))) {
      units.set(name, { restart: get('Restart'), exec_start: execArgv(get('ExecStart')), fragment_path: get('FragmentPath') });
    }
  }
  return units;
}

// `{ path=/usr/bin/x ; argv[]=/usr/bin/x -a ; ignore_errors=no ; … }`: the argv[] text, else the value as shown.
function execArgv(value: string | null): string | null {
  if (value === null) return null;
  const start = value.indexOf('argv[]=');
  if (start < 0) return value;
  const end = value.indexOf(' ; ', start);
  return value.slice(start + 7, end < 0 ? undefined : end).replace(/\s*;?\s*}?\s*$/, '') || value;
}

interface Program {
  autorestart: string;
  group: string | null;
}

/** `[program:x]` sections with autorestart (supervisord's default: unexpected), and `[group:g] programs=`. */
export function readSupervisordConfig(text: string): Map<string, Program> {
  const programs = new Map<string, Program>();
  const groups: [string, string[]][] = [];
  let section: { kind: string; name: string } | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const head = /^\[([a-z_]+)(?::([^\]]+))?\]$/i.exec(line);
    if (head) {
      section = { kind: head[1].toLowerCase(), name: (head[2] ?? '').trim() };
      if (section.kind === 'program' && section.name) programs.set(section.name, { autorestart: 'unexpected', group: null });
      continue;
    }
    const kv = /^([a-z_]+)\s*=\s*(.*?)\s*(?:\s;.*)?$/i.exec(line);
    if (!section || !kv) continue;
    if (section.kind === 'program' && kv[1].toLowerCase() === 'autorestart') {
      const p = programs.get(section.name);
      if (p) p.autorestart = kv[2].toLowerCase();
    } else if (section.kind === 'group' && kv[1].toLowerCase() === 'programs') {
      groups.push([section.name, kv[2].split(',').map((s) => s.trim()).filter(Boolean)]);
    }
  }
  for (const [g, names] of groups) for (const n of names) if (programs.has(n)) programs.get(n)!.group = g;
  return programs;
}

function programRestart(programs: Map<string, Program>, group: string | null, process: string | null): string | null {
  const inGroup = [...programs.entries()].filter(([, p]) => p.group !== null && p.group === group);
  const pick = (inGroup.length === 1 ? inGroup[0][1] : inGroup.find(([n]) => process?.startsWith(n))?.[1])
    ?? (group !== null ? programs.get(group) : undefined)
    ?? (process !== null ? programs.get(process) : undefined);
  return pick?.autorestart ?? null;
}
