// Who supervises a worker process, told from what the SSH probe read: its
// environment, its cgroup and its ancestors' argv. Pure. The nearest wins (a
// loop script run by systemd is kind script, with the unit as `outer`).
import type { Supervisor } from '../types.js';

export interface UnitInfo {
  restart: string | null;
  exec_start: string | null;
  fragment_path: string | null;
}

export interface SupervisorInput {
  /** The chosen environment variables; null = unreadable. */
  env: Record<string, string> | null;
  cgroup: string | null;
  hostname: string;
  pid: number;
  /** Ancestors from ps, nearest first. */
  ancestors: { pid: number; argv: string[] }[];
  /** `systemctl show` of each unit. */
  units: Map<string, UnitInfo>;
  /** supervisord's autorestart for a group and process name, when its config was read. */
  autorestart: (group: string | null, process: string | null, supervisordPid: number | null) => string | null;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);
const LOOP = /(?:^|[\s;&|(])(?:while|until|for)\s/;
const base = (w: string | undefined) => (w ?? '').slice((w ?? '').lastIndexOf('/') + 1).replace(/^-/, '');

export function classifySupervisor(input: SupervisorInput): Supervisor | null {
  const s = nearest(input, 0);
  // With neither environment nor cgroup, only a parent that shows itself counts:
  // a systemd service's parent is pid 1 too, so "none" would be a guess.
  if (input.env === null && input.cgroup === null) return s.kind === 'script' || s.kind === 'supervisord' ? s : null;
  return s;
}

function nearest(input: SupervisorInput, from: number): Supervisor {
  const parent = input.ancestors[from];
  const script = parent ? loopScript(parent.argv) : null;
  if (parent && script !== null) {
    return { kind: 'script', name: script.name, restart: script.loops ? 'loop' : null, parent_pid: parent.pid, outer: outerOf(input, from + 1) };
  }
  const env = input.env ?? {};
  const supd = input.ancestors.find((a) => isSupervisord(a.argv));
  if (env.SUPERVISOR_PROCESS_NAME || env.SUPERVISOR_GROUP_NAME || (parent && isSupervisord(parent.argv))) {
    const group = env.SUPERVISOR_GROUP_NAME || null;
    const proc = env.SUPERVISOR_PROCESS_NAME || null;
    const name = group && proc ? `${group}:${proc}` : group ?? proc;
    return { kind: 'supervisord', name, restart: input.autorestart(group, proc, supd?.pid ?? null) };
  }
  const unit = serviceOf(input.cgroup);
  if (unit) {
    const info = unit.user ? undefined : input.units.get(unit.name);
    return {
      kind: 'systemd', name: unit.name, restart: info?.restart ?? null,
      exec_start: info?.exec_start ?? null, fragment_path: info?.fragment_path ?? null, ...(unit.user ? { user_unit: true } : {}),
    };
  }
  if (env.KUBERNETES_SERVICE_HOST || /kubepods/.test(input.cgroup ?? '')) return { kind: 'kubernetes', name: input.hostname || null, restart: null };
  const container = containerOf(input.cgroup);
  const mainOfContainer = input.pid === 1 || (parent !== undefined && /^(?:containerd-shim|docker-containerd-shim|docker-init|tini)/.test(base(parent.argv[0])));
  if (container && mainOfContainer) return { kind: 'docker', name: container, restart: null };
  return { kind: 'none', name: null, restart: null };
}

function outerOf(input: SupervisorInput, from: number): Supervisor | null {
  const s = nearest(input, from);
  return s.kind === 'none' ? null : s;
}

/** The script a shell parent runs (path, or its -c text when that loops); null when the parent is no such shell. */
function loopScript(argv: string[]): { name: string; loops: boolean } | null {
  if (!SHELLS.has(base(argv[0]))) return null;
  for (let k = 1; k < argv.length; k++) {
    const w = argv[k];
    if (w === '-c' || (/^-[A-Za-z]*c[A-Za-z]*$/.test(w))) {
      const text = argv.slice(k + 1).join(' ');
      return LOOP.test(text) ? { name: text.slice(0, 200), loops: true } : null;
    }
    if (w === '-o' || w === '+o') k++;
    else if (!/^[-+]/.test(w)) return { name: w, loops: false };
  }
  return null; // an interactive shell: started by hand
}

export function isSupervisord(argv: string[]): boolean {
  return argv.slice(0, 3).some((w) => base(w) === 'supervisord');
}

/** The deepest .service in a cgroup listing; user = under a user@N.service manager. */
export function serviceOf(cgroup: string | null): { name: string; user: boolean } | null {
  let best: { name: string; user: boolean } | null = null;
  for (const line of (cgroup ?? '').split('\n')) {
    const path = line.split(':').slice(2).join(':').split('/');
    const user = path.some((p) => /^user@\d+\.service$/.test(p));
    const units = path.filter((p) => /^[A-Za-z0-9:_.@\\-]+\.service$/.test(p) && !/^user@\d+\.service$/.test(p));
    if (units.length > 0 && (best === null || line.startsWith('0::') || line.includes('name=systemd'))) best = { name: units[units.length - 1], user };
  }
  return best;
}

function containerOf(cgroup: string | null): string | null {
  const m = /\/docker[-/]([0-9a-f]{12,64})(?:\.scope)?(?:\/|$)/m.exec(cgroup ?? '');
  return m ? m[1].slice(0, 12) : null;
}

/** The command that stops a worker for good under its supervisor; null when there is none to give. */
export function stopCommand(s: Supervisor | null | undefined): string[] | null {
  if (!s || !s.name) return s?.kind === 'script' && s.parent_pid ? ['kill', String(s.parent_pid)] : null;
  switch (s.kind) {
    case 'systemd': return s.user_unit ? ['systemctl', '--user', 'stop', s.name] : ['systemctl', 'stop', s.name];
    case 'supervisord': return ['supervisorctl', 'stop', s.name];
    case 'script': return s.parent_pid ? ['kill', String(s.parent_pid)] : null;
    case 'docker': return ['docker', 'stop', s.name];
    case 'compose': {
      const slash = s.name.indexOf('/');
      return slash > 0 ? ['docker', 'compose', '-p', s.name.slice(0, slash), 'stop', s.name.slice(slash + 1)] : null;
    }
    default: return null;
  }
}

/**
 * Whether a plain `kill <pid>` (SIGTERM; Celery then exits 0) is undone by the
 * supervisor: true, false, or null when its setting is unknown or depends.
 */
export function restartsAfterKill(s: Supervisor | null | undefined): boolean | null {
  if (!s) return null;
  const r = s.restart;
  switch (s.kind) {
    case 'none': return false;
    case 'script': return r === 'loop' ? true : null;
    case 'kubernetes': return true;
    case 'systemd': return r === null ? null : r === 'always' || r === 'on-success';
    case 'supervisord': return r === 'true' ? true : r === 'false' ? false : null;
    default: return r === null ? null : r === 'always' || r === 'unless-stopped' ? true : r === 'no' ? false : null;
  }
}
