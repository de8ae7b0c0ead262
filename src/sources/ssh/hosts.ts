// The SSH source: one session per host running the fixed probe, hosts side by
// side (at most `concurrency` at once), each under its own hard deadline.
// It runs the system ssh so agents, ProxyJump, ControlMaster and known_hosts
// work as the user set them up; it only adds what keeps it from ever prompting.
import { InterruptedError } from '../../errors.js';
import { splitSshTarget } from '../../util/ssh-target.js';
import { failedReport, parseProbe, type HostReport } from './parse.js';
import { PROBE_COMMAND } from './probe.js';

export type { HostReport } from './parse.js';

export interface SshSource {
  hosts: string[];
  config: string | null;
  concurrency: number;
  /** Prefer classic curve25519 key exchange (--ssh-fast-kex): a tenth of the CPU per login. */
  fastKex?: boolean;
}

export interface SshOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** The environment ssh runs in (default process.env): SSH_AUTH_SOCK, HOME … */
  env?: NodeJS.ProcessEnv;
}

/**
 * --timeout is made for broker replies (1 s by default); a login alone takes
 * several round trips, more through a bastion, so a host gets at least this long.
 */
export const MIN_DEADLINE_MS = 5000;
const MAX_OUTPUT = 64 * 1024 * 1024;

export const sshDeadlineMs = (timeoutMs: number): number => Math.max(timeoutMs, MIN_DEADLINE_MS);

export async function gatherSsh(s: SshSource, opts: SshOptions): Promise<HostReport[]> {
  if (s.hosts.length === 0) return [];
  const { execa } = await import('execa');
  const deadlineMs = sshDeadlineMs(opts.timeoutMs);
  const env = sshEnv(opts.env ?? process.env);
  const reports: HostReport[] = [];
  let next = 0;
  const lane = async () => {
    while (next < s.hosts.length && !opts.signal?.aborted) {
      const i = next++;
      reports[i] = await probeHost(execa, s.hosts[i], sshArgs(s.hosts[i], s.config, deadlineMs, { fastKex: s.fastKex }), deadlineMs, env, opts.signal);
    }
  };
  const lanes = Math.min(Math.max(1, Math.floor(s.concurrency) || 1), s.hosts.length);
  await Promise.all(Array.from({ length: lanes }, lane));
  if (opts.signal?.aborted) throw new InterruptedError();
  return reports;
}

/**
 * ssh's argv for one target; the probe is the same constant for every host. `command` is for
 * `kill`, whose remote words are fixed words and integers only.
 */
export function sshArgs(
  target: string, config: string | null, deadlineMs: number, opts: { fastKex?: boolean; command?: string[] } = {},
): string[] {
  const { host, port } = splitSshTarget(target);
  return [
    '-T', '-o', 'BatchMode=yes', '-o', `ConnectTimeout=${Math.ceil(deadlineMs / 1000)}`,
    // A read-only probe has no use for the user's port forwards (which could clash).
    '-o', 'ClearAllForwardings=yes',
    // OpenSSH 9's post-quantum default costs ~140 ms of CPU per login; '^' only moves curve25519 first.
    ...(opts.fastKex ? ['-o', 'KexAlgorithms=^curve25519-sha256,curve25519-sha256@libssh.org'] : []),
    ...(config ? ['-F', config] : []),
    ...(port !== null ? ['-p', String(port)] : []),
    '--', host, ...(opts.command ?? [PROBE_COMMAND]),
  ];
}

// No askpass program, no X display: nothing that could pop up a prompt.
export function sshEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, SSH_ASKPASS_REQUIRE: 'never' };
  delete env.DISPLAY;
  delete env.SSH_ASKPASS;
  return env;
}

type Execa = typeof import('execa').execa;

async function probeHost(
  execa: Execa, target: string, args: string[], deadlineMs: number, env: NodeJS.ProcessEnv, signal?: AbortSignal,
): Promise<HostReport> {
  // detached = its own session: no controlling terminal to prompt on, and a
  // process group, so the deadline also ends a ProxyCommand or ProxyJump
  // helper that would otherwise hold our pipes open.
  const child = execa('ssh', args, {
    stdin: 'ignore', encoding: 'buffer', stripFinalNewline: false, reject: false, maxBuffer: MAX_OUTPUT, env, extendEnv: false, detached: true,
  });
  const group = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  let timedOut = false;
  let force: NodeJS.Timeout | undefined;
  const stop = () => {
    group('SIGTERM');
    force ??= setTimeout(() => group('SIGKILL'), 1000);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, deadlineMs);
  signal?.addEventListener('abort', stop, { once: true });
  const res = await child;
  clearTimeout(timer);
  clearTimeout(force);
  signal?.removeEventListener('abort', stop);

  if (res.code === 'ENOENT' || (res.failed && res.exitCode === undefined && !res.isTerminated && !res.isMaxBuffer)) {
    return failedReport(target, res.code === 'ENOENT' ? 'ssh not found: install an OpenSSH client' : `could not run ssh: ${res.shortMessage}`);
  }
  const stdout = res.stdout instanceof Uint8Array ? res.stdout : new Uint8Array();
  const stderr = new TextDecoder().decode(res.stderr instanceof Uint8Array ? res.stderr : new Uint8Array());
  const report = parseProbe(target, stdout);
  const late = `timed out after ${(deadlineMs / 1000).toFixed(1)} s`;
  if (!report.ok) return failedReport(target, timedOut ? late : explainSsh(stderr, res.exitCode, late));
  // Some output came, but not all: say why.
  const cut = timedOut ? late
    : res.isMaxBuffer ? `more than ${MAX_OUTPUT / 1024 / 1024} MB of output`
    : !report.partial ? null
    : res.exitCode !== 0 ? explainSsh(stderr, res.exitCode, late) : 'the output stopped early';
  if (cut) report.warnings.push(`${cut}; the host answered only in part`);
  report.partial ||= cut !== null;
  return report;
}

// ssh's own failures exit 255; what it printed says why, in one line.
const REASONS: [RegExp, (m: RegExpExecArray, late: string) => string][] = [
  [/Connection refused/i, () => 'connection refused'],
  [/timed out/i, (_m, late) => late],
  [/Permission denied \(([^)]*)\)/, (m) => `permission denied (${m[1]})`],
  [/REMOTE HOST IDENTIFICATION HAS CHANGED/, () => 'host key verification failed (the host key changed)'],
  [/Host key verification failed/i, () => 'host key verification failed'],
  [/Could not resolve hostname/i, () => 'could not resolve hostname'],
  [/No route to host/i, () => 'no route to host'],
  [/Network is unreachable/i, () => 'network is unreachable'],
  [/Too many authentication failures/i, () => 'too many authentication failures'],
  [/Connection (?:closed|reset)/i, () => 'connection closed by the host'],
];

export function explainSsh(stderr: string, exitCode: number | undefined, late = 'timed out'): string {
  const last = stderr.split('\n').map((l) => l.replace(/[\x00-\x1f\x7f]/g, ' ').trim()).filter(Boolean).pop()?.slice(0, 200);
  if (exitCode === 255) {
    for (const [re, say] of REASONS) {
      const m = re.exec(stderr);
      if (m) return say(m, late);
    }
    return last ? `ssh failed: ${last}` : 'ssh failed (exit 255)';
  }
  return `the probe did not run (exit ${exitCode ?? 'unknown'})${last ? `: ${last}` : ''}`;
}
