// Pure: why a container keeps dying, from its inspect record and the last
// lines of its log. Known patterns only: a log that matches none is `unknown`.
import { cleanText } from '../../util/text.js';
import type { ContainerRecord } from '../types.js';

export type RestartCause = 'oom' | 'dependency' | 'config' | 'gpu' | 'disk' | 'app-error' | 'unknown';

/** host:port (port null when the line has none), only when both pass a strict pattern. */
export interface Target {
  host: string;
  port: number | null;
  scheme: string | null;
}

export interface CauseMatch {
  cause: RestartCause;
  /** The cleaned log line or inspect field the cause rests on; null when there is none. */
  evidence: string | null;
  /** dependency: where it tried to connect. */
  target?: Target | null;
  /** dependency: the line is Celery's consumer, i.e. the broker. */
  broker?: boolean;
  /** config: the environment variable or file it misses; null for rejected credentials. */
  missing?: { kind: 'env' | 'file'; name: string } | null;
  /** oom: only a SIGKILL says so (exit 137 without OOMKilled or an oom event). */
  sigkill?: boolean;
  /** app-error: the file and line the traceback points at. */
  at?: { file: string; line: number } | null;
}

const MAX_EVIDENCE = 300;
const GPU = /CUDA out of memory|no CUDA-capable device|CUDA driver version is insufficient|NVIDIA-SMI has failed|Failed to initialize NVML|NVML: Driver\/library version mismatch|nvidia-container-cli|libcuda\.so\S*: cannot open|CUDA error: /i;
const DISK = /No space left on device|\[Errno 28\]|\bENOSPC\b/;
// The error codes in capitals only: a host such as redis-noauth holds the word in lower case.
const AUTH = /\b(?:NOAUTH|WRONGPASS|ACCESS_REFUSED)\b|AuthenticationError/;
const AUTH_TEXT = /authentication failed|invalid username-password pair/i;
const SECRET = /((?:\/[\w.@+-]+)*\/secrets\/[\w.@+-]+(?:\/[\w.@+-]+)*)/;
const MISSING_FILE = /No such file or directory|FileNotFoundError|\bENOENT\b|does not exist|not found/i;
const KEY_ERROR = /^\s*KeyError: ['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*$/;
// Case matters for the name: an environment variable is written in capitals.
const ENV_SAYS = [
  /(?:[Ss]et the|[Ee]nvironment variable|[Ee]nv var)\s+['"]?([A-Z_][A-Z0-9_]*)['"]?\s+(?:environment variable|is not set|not set|is missing|missing|is required|required|is undefined|undefined)\b/,
  /[Mm]issing (?:required )?environment variable:?\s+['"]?([A-Z_][A-Z0-9_]*)/,
];
const DEPENDENCY = /Cannot connect to|Connection refused|Name or service not known|could not translate host name|Temporary failure in name resolution|Error -?\d+ connecting to|\bECONNREFUSED\b|\bENOTFOUND\b|No route to host|getaddrinfo failed|nodename nor servname/i;
const CELERY_MODULE = /The module (\S+) was not found\./;
const EXCEPTION = /^(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit)(?::.*)?$/;
const FRAME = /^\s*File "([^"]+)", line (\d+)/;

/** Strict: an IPv4 address, a bracketed IPv6 one or a DNS name, and a port 1-65535. */
export function strictTarget(host: string, port: string | null, scheme: string | null = null): Target | null {
  const ipv4 = /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) && host.split('.').every((o) => Number(o) <= 255);
  const ipv6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/.test(host);
  const label = '[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?';
  const dns = host.length <= 253 && new RegExp(`^${label}(?:\\.${label})*$`).test(host) && !/^[\d.]+$/.test(host); // digits and dots: an IPv4 address or nothing
  if (!ipv4 && !ipv6 && !dns) return null;
  if (port !== null && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) return null;
  return { host, port: port === null ? null : Number(port), scheme: scheme && /^[a-z][a-z0-9+.-]{0,15}$/.test(scheme) ? scheme : null };
}

const URL_IN = /\b([a-z][a-z0-9+.-]{0,15}):\/\/(?:[^\s@/]*@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::(\d+))?/i;

/** Where a dependency line says it connected to, or null when it names none (or nothing valid). */
export function targetOf(line: string): Target | null {
  const tries: [RegExp, (m: RegExpMatchArray) => Target | null][] = [
    [URL_IN, (m) => strictTarget(m[2], m[3] ?? null, m[1].toLowerCase())],
    [/connecting to (\[[^\]\s]+\]|[A-Za-z0-9_.-]+?):(\d+)/, (m) => strictTarget(m[1], m[2])],
    [/could not translate host name "([^"]+)"/, (m) => strictTarget(m[1], null)],
    [/connection to server at "([^"]+)".*?port (\d+)/, (m) => strictTarget(m[1], m[2])],
    [/(?:dial tcp|ECONNREFUSED|connect to) (\[[^\]\s]+\]|[A-Za-z0-9_.-]+?):(\d+)/, (m) => strictTarget(m[1], m[2])],
    [/ENOTFOUND ([A-Za-z0-9_.-]+)/, (m) => strictTarget(m[1], null)],
  ];
  for (const [re, make] of tries) {
    const m = line.match(re);
    const t = m ? make(m) : null;
    if (t) return t;
  }
  return null;
}

const cut = (s: string) => (s.length > MAX_EVIDENCE ? `${s.slice(0, MAX_EVIDENCE)}…` : s);

/**
 * The cause a log tail shows, newest line first; null when no line matches.
 * Lines are cleaned first, so escape codes cannot hide or fake a match.
 */
export function classifyLog(raw: string[]): CauseMatch | null {
  const lines = raw.map((l) => cleanText(l).trimEnd());
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = matchLine(lines, i);
    if (m) return { ...m, evidence: cut(m.evidence ?? lines[i].trim()) };
  }
  return null;
}

function matchLine(lines: string[], i: number): CauseMatch | null {
  const line = lines[i];
  if (line.trim() === '') return null;
  if (GPU.test(line)) return { cause: 'gpu', evidence: null };
  if (DISK.test(line)) return { cause: 'disk', evidence: null };
  if (AUTH.test(line) || AUTH_TEXT.test(line)) return { cause: 'config', evidence: null, missing: null };
  const secret = MISSING_FILE.test(line) ? line.match(SECRET) : null;
  if (secret) return { cause: 'config', evidence: null, missing: { kind: 'file', name: secret[1] } };
  const env = ENV_SAYS.map((re) => line.match(re)).find((m) => m);
  if (env) return { cause: 'config', evidence: null, missing: { kind: 'env', name: env[1] } };
  const key = line.match(KEY_ERROR);
  if (key && fromEnviron(lines, i)) return { cause: 'config', evidence: null, missing: { kind: 'env', name: key[1] }, at: pointsAt(lines, i) };
  if (DEPENDENCY.test(line)) return dependency(lines, i);
  if (CELERY_MODULE.test(line)) return { cause: 'app-error', evidence: null, at: null };
  if (EXCEPTION.test(line) && tracebackBefore(lines, i)) return { cause: 'app-error', evidence: null, at: pointsAt(lines, i) };
  return null;
}

// A line naming no host:port borrows the newest older dependency line that does.
function dependency(lines: string[], i: number): CauseMatch {
  const broker = (l: string) => /consumer: Cannot connect to/.test(l);
  const target = targetOf(lines[i]);
  if (target) return { cause: 'dependency', evidence: null, target, broker: broker(lines[i]) || undefined };
  for (let j = i - 1; j >= 0 && j >= i - 200; j--) {
    const t = DEPENDENCY.test(lines[j]) ? targetOf(lines[j]) : null;
    if (t) return { cause: 'dependency', evidence: lines[j].trim(), target: t, broker: broker(lines[j]) || undefined };
  }
  return { cause: 'dependency', evidence: null, target: null };
}

// The KeyError came from os.environ: its innermost frame is os's __getitem__, or the code indexes environ.
function fromEnviron(lines: string[], i: number): boolean {
  for (let j = i - 1; j >= 0 && j >= i - 6; j--) {
    if (/File "(?:<frozen os>|[^"]*\/os\.py)", line \d+, in __getitem__/.test(lines[j])) return true;
    if (/\benviron\s*\[|\bgetenv\b/.test(lines[j])) return true;
    if (/^Traceback /.test(lines[j])) break;
  }
  return false;
}

function tracebackBefore(lines: string[], i: number): boolean {
  return lines.slice(Math.max(0, i - 500), i).some((l) => /^Traceback \(most recent call last\):/.test(l.trim()));
}

// The innermost frame in the app's own code; the innermost real file when all are libraries.
function pointsAt(lines: string[], i: number): { file: string; line: number } | null {
  let fallback: { file: string; line: number } | null = null;
  for (let j = i - 1; j >= 0 && j >= i - 500; j--) {
    if (/^Traceback /.test(lines[j].trim())) break;
    const m = lines[j].match(FRAME);
    if (!m || m[1].startsWith('<')) continue;
    const at = { file: m[1], line: Number(m[2]) };
    if (!/\/(?:site|dist)-packages\/|\/lib\/python\d/.test(m[1])) return at;
    fallback ??= at;
  }
  return fallback;
}

/**
 * The cause of a restart loop or exit: OOMKilled or the engine's oom events
 * outrank the log; a bare 137 (from inspect, or the last `die` event of a
 * container running again) comes after it.
 */
export function restartCause(c: ContainerRecord, lines: string[] | null): CauseMatch {
  if (c.oom_killed) return { cause: 'oom', evidence: 'State.OOMKilled: true' };
  const ooms = c.oom_events ?? 0;
  if (ooms > 0) return { cause: 'oom', evidence: `docker events: ${ooms} oom event${ooms === 1 ? '' : 's'} in the last hour` };
  const fromLog = lines ? classifyLog(lines) : null;
  if (fromLog) return fromLog;
  if (c.exit_code === 137) return { cause: 'oom', evidence: 'State.ExitCode: 137 (SIGKILL; State.OOMKilled: false)', sigkill: true };
  if (!c.exit_code && c.last_exit_code === 137) return { cause: 'oom', evidence: 'docker events: last die exitCode 137 (SIGKILL, no oom event)', sigkill: true };
  return { cause: 'unknown', evidence: null };
}
