// Pure: a restart cause put into words, with the commands that confirm or fix
// it. Names from the log reach a command only after strictTarget or a name
// pattern, and always shell-quoted.
import { redactUrls } from '../util/redact.js';
import { shellJoin, shellQuote } from '../util/shell.js';
import { cleanText } from '../util/text.js';
import { parseCeleryWorker } from './celery-argv.js';
import { composeBase, composePlace } from './containers.js';
import { restartCause, strictTarget, type CauseMatch, type RestartCause, type Target } from './restart-cause.js';
import type { ContainerRecord } from './types.js';

type Step = { where: string; command: string };

export interface CauseContext {
  /** The broker fleetdoc reads (its display string), and whether fleetdoc reached it. */
  broker?: { display: string; ok: boolean } | null;
}

export interface RestartExplanation {
  cause: RestartCause;
  cause_evidence: string | null;
  /** A clause for the end of the finding's message. */
  explanation: string;
  /** Cause-specific steps; the caller keeps its `docker logs` step after them. */
  remediation: Step[];
  evidence: string[];
}

const MiB = 1024 * 1024;
const SHOWN_LINES = 10;
const DEFAULT_PORTS: Record<string, number> = { redis: 6379, rediss: 6379, amqp: 5672, pyamqp: 5672, amqps: 5671, sentinel: 26379, postgres: 5432, postgresql: 5432, mysql: 3306 };
const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;

export const size = (b: number) => (b >= 1024 * MiB ? `${+(b / 1024 / MiB).toFixed(1)} GiB` : `${+(b / MiB).toFixed(1)} MiB`);

export function explainRestart(c: ContainerRecord, lines: string[] | null, ctx: CauseContext = {}): RestartExplanation {
  const m = restartCause(c, lines);
  const out: RestartExplanation = { cause: m.cause, cause_evidence: m.evidence === null ? null : redactUrls(m.evidence), explanation: '', remediation: [], evidence: [] };
  const fill = { oom, dependency, config, gpu, disk, 'app-error': appError, unknown }[m.cause];
  fill(c, m, out, ctx, lines);
  if (out.cause_evidence !== null) out.evidence.unshift(`cause ${m.cause}: ${out.cause_evidence}`);
  return out;
}

type Fill = (c: ContainerRecord, m: CauseMatch, out: RestartExplanation, ctx: CauseContext, lines: string[] | null) => void;

const docker = (c: ContainerRecord) => `docker ${c.engine}`;

/** Where to type commands for the engine's own machine. */
export function hostWhere(engine: string): string {
  const ssh = engine.match(/^ssh:\/\/([^/:]+)(?::(\d+))?/);
  if (ssh) return ssh[2] ? `ssh -p ${ssh[2]} ${ssh[1]}` : `ssh ${ssh[1]}`;
  const tcp = engine.match(/^(?:tcp|https?):\/\/([^/:]+)/);
  return tcp ? `on ${tcp[1]}` : 'here';
}

const oom: Fill = (c, m, out) => {
  const limit = c.memory_limit ?? null;
  const usage = c.memory_usage ?? null;
  const conc = c.concurrency === null ? 'default (one process per CPU)' : String(c.concurrency);
  const how = m.evidence?.startsWith('State.ExitCode') ? 'killed by SIGKILL without OOMKilled (out of memory, or a docker kill)' : 'out of memory';
  out.evidence.push(`memory: limit ${limit === null ? 'unknown' : limit > 0 ? size(limit) : 'none'}, usage ${usage === null ? 'unknown' : size(usage)}, concurrency ${conc}`);
  const lower = lowerConcurrency(c);
  if (limit === 0) {
    out.explanation = `${how} with no memory limit set: the host itself ran short (see host-resources), worker concurrency ${conc}`;
    out.remediation.push({ where: hostWhere(c.engine), command: 'free -m' }, { where: hostWhere(c.engine), command: "dmesg -T | grep -i -E 'out of memory|killed process'" });
    if (lower) out.remediation.push(lower);
    return;
  }
  if (limit === null) {
    out.explanation = `${how} (memory limit unknown), worker concurrency ${conc}`;
    if (lower) out.remediation.push(lower);
    return;
  }
  const use = usage !== null ? `, using ${size(usage)} (${Math.round((100 * usage) / limit)}%)` : '';
  out.explanation = `${how} at its memory limit of ${size(limit)}${use}, worker concurrency ${conc}`;
  const twice = `${Math.ceil((2 * limit) / MiB)}m`;
  out.remediation.push({ where: docker(c), command: shellJoin(['docker', 'update', '--memory', twice, '--memory-swap', twice, c.name]) });
  if (c.compose) {
    out.remediation.push({ where: `${composePlace(c.compose)}, service ${c.compose.service}`, command: `mem_limit: ${twice}` });
    out.remediation.push({ where: docker(c), command: shellJoin([...composeBase(c.compose), 'up', '-d', c.compose.service]) });
  }
  if (lower) out.remediation.push(lower);
};

// Half the processes; only when -c is on the command line and above 1.
function lowerConcurrency(c: ContainerRecord): Step | null {
  if (c.concurrency === null || c.concurrency < 2) return null;
  const where = c.compose ? `${composePlace(c.compose)}, service ${c.compose.service}: command` : "the worker's command line";
  return { where, command: `-c ${Math.floor(c.concurrency / 2)}` };
}

const dependency: Fill = (c, m, out, ctx) => {
  const t = m.target ?? null;
  const own = urlTarget(workerBroker(c));
  const fleet = ctx.broker ? urlTarget(ctx.broker.display) : null;
  const isBroker = m.broker === true || (t !== null && (same(t, own) || same(t, fleet)));
  const what = isBroker ? 'the broker' : t?.scheme ? t.scheme : 'a dependency';
  const at = t ? ` at ${t.port === null ? t.host : `${t.host}:${t.port}`}` : ' (no host:port in the log line)';
  const parts = [`cannot reach ${what}${at}`];
  const mode = c.network_mode ?? null;
  if (t && LOOPBACK.test(t.host) && mode !== null && mode !== 'host') parts.push(`inside this container (network ${cleanText(mode)}) ${t.host} is the container itself`);
  const fleetSees = isBroker && t !== null && fleet !== null && same(t, fleet);
  if (isBroker && ctx.broker && t && fleet) {
    const shown = redactUrls(cleanText(ctx.broker.display));
    if (!fleetSees) parts.push(`fleetdoc reads ${shown}: the worker is pointed at another broker`);
    else parts.push(ctx.broker.ok ? `the broker fleetdoc reads (${shown}) answers fleetdoc, so the container's network cannot reach it` : `fleetdoc cannot reach it either (${shown}): the broker is down`);
  }
  out.explanation = parts.join('; ');
  if (!c.compose) return;
  const base = composeBase(c.compose);
  out.remediation.push({ where: docker(c), command: shellJoin([...base, 'ps']) });
  // A compose service is reached by its name: a one-label host is that service.
  const service = t && /^[a-z0-9][a-z0-9_-]*$/.test(t.host) && t.host !== 'localhost' ? t.host : null;
  if (service && !(fleetSees && ctx.broker?.ok)) out.remediation.push({ where: docker(c), command: shellJoin([...base, 'restart', service]) });
};

const config: Fill = (c, m, out) => {
  const miss = m.missing ?? null;
  if (miss === null) {
    out.explanation = 'credentials rejected: the password or user in its broker or service URL is missing or wrong';
    return;
  }
  if (miss.kind === 'file') {
    out.explanation = `the file ${miss.name} is missing (a secret not mounted?)`;
    out.remediation.push({ where: docker(c), command: `docker inspect -f '{{json .Mounts}}' ${shellQuote(c.name)}` });
    return;
  }
  const at = m.at ? ` (read at ${cleanText(m.at.file)}:${m.at.line})` : '';
  out.explanation = `the environment variable ${miss.name} is not set${at}`;
  if (!c.compose) {
    out.remediation.push({ where: "the container's docker run", command: `-e ${miss.name}=…` });
    return;
  }
  out.remediation.push({ where: `${composePlace(c.compose)}, service ${c.compose.service}: environment`, command: `${miss.name}: …` });
  out.remediation.push({ where: docker(c), command: shellJoin([...composeBase(c.compose), 'up', '-d', c.compose.service]) });
};

const gpu: Fill = (c, _m, out) => {
  out.explanation = 'a GPU error (CUDA or the NVIDIA driver)';
  out.remediation.push({ where: hostWhere(c.engine), command: 'nvidia-smi' });
  out.remediation.push({ where: docker(c), command: `docker inspect -f '{{json .HostConfig.DeviceRequests}}' ${shellQuote(c.name)}` });
};

const disk: Fill = (c, _m, out) => {
  out.explanation = 'no space left on device';
  out.remediation.push({ where: hostWhere(c.engine), command: 'df -h' });
  out.remediation.push({ where: docker(c), command: 'docker system df' }, { where: docker(c), command: 'docker system prune' });
};

const appError: Fill = (c, m, out) => {
  const at = m.at ? ` at ${cleanText(m.at.file)}:${m.at.line}` : '';
  out.explanation = `the application fails to start${at}: ${out.cause_evidence ?? ''}`; // redacted: messages are printed as they are
  if (!c.compose) return;
  out.remediation.push({ where: docker(c), command: shellJoin([...composeBase(c.compose), 'build', c.compose.service]) });
  out.remediation.push({ where: docker(c), command: shellJoin([...composeBase(c.compose), 'up', '-d', c.compose.service]) });
};

const unknown: Fill = (_c, _m, out, _ctx, lines) => {
  const kept = (lines ?? []).map((l) => cleanText(l).trimEnd()).filter((l) => l.trim() !== '');
  if (lines === null) out.explanation = 'cause unknown: its log was not read (too slow, or past the number of containers read)';
  else if (kept.length === 0) out.explanation = 'cause unknown: its log is empty';
  else out.explanation = `no known cause in its last ${kept.length} log lines`;
  out.evidence.push(...kept.slice(-SHOWN_LINES).map((l) => `log: ${redactUrls(l)}`));
};

/** The -b/--broker of the worker's own command line. */
export function workerBroker(c: ContainerRecord): string | null {
  const argv = parseCeleryWorker(c.command)?.argv ?? [];
  let found: string | null = null;
  argv.forEach((w, i) => {
    if ((w === '-b' || w === '--broker') && i + 1 < argv.length) found = argv[i + 1];
    else if (w.startsWith('--broker=')) found = w.slice(9);
    else if (/^-b./.test(w)) found = w.slice(2);
  });
  return found;
}

function urlTarget(url: string | null): Target | null {
  const m = url?.match(/^([a-z][a-z0-9+.-]{0,15}):\/\/(?:[^\s@/]*@)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::(\d+))?/i);
  if (!m) return null;
  const scheme = m[1].toLowerCase();
  return strictTarget(m[2], m[3] ?? (DEFAULT_PORTS[scheme] !== undefined ? String(DEFAULT_PORTS[scheme]) : null), scheme);
}

function same(a: Target, b: Target | null): boolean {
  if (b === null || a.host.toLowerCase() !== b.host.toLowerCase()) return false;
  return a.port === null || b.port === null || a.port === b.port;
}
