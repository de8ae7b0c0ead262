// Pure: a restart cause put into words, with the commands that confirm or fix
// it, as remedy steps. Names from the log reach a command only after
// strictTarget or a name pattern, and the builder shell-quotes every word.
import { brokerAddress, normalHost } from '../../util/broker-address.js';
import { redactUrls } from '../../util/redact.js';
import { cleanText } from '../../util/text.js';
import { parseCeleryWorker } from '../worker/celery-argv.js';
import { composeWords, dockerWords, remedies, type RemedyOptions } from '../remedy/commands.js';
import type { Remedy, Step, Where } from '../remedy/steps.js';
import { restartCause, type CauseMatch, type RestartCause, type Target } from './restart-cause.js';
import type { ContainerRecord } from '../types.js';

export interface CauseContext {
  /** The broker fleetdoc reads (its display string), and whether fleetdoc reached it. */
  broker?: { display: string; ok: boolean } | null;
  /** For ssh where-lines (--ssh-config); the broker display is not used here. */
  remedy?: RemedyOptions;
}

export interface RestartExplanation {
  cause: RestartCause;
  cause_evidence: string | null;
  /** A clause for the end of the finding's message. */
  explanation: string;
  /** Cause-specific commands; the caller keeps its `docker logs` after them. */
  remediation: Remedy[];
  evidence: string[];
}

interface Draft {
  explanation: string;
  steps: Step[];
  evidence: string[];
}

const MiB = 1024 * 1024;
const SHOWN_LINES = 10;
const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;

export const size = (b: number) => (b >= 1024 * MiB ? `${+(b / 1024 / MiB).toFixed(1)} GiB` : `${+(b / MiB).toFixed(1)} MiB`);

export function explainRestart(c: ContainerRecord, lines: string[] | null, ctx: CauseContext = {}): RestartExplanation {
  const m = restartCause(c, lines);
  const evidence = m.evidence === null ? null : redactUrls(m.evidence);
  const d: Draft = { explanation: '', steps: [], evidence: [] };
  const fill = { oom, dependency, config, gpu, disk, 'app-error': appError, unknown }[m.cause];
  fill(c, { ...m, evidence }, d, ctx, lines);
  if (evidence !== null) d.evidence.unshift(`cause ${m.cause}: ${evidence}`);
  const remediation = remedies(d.steps, ctx.remedy ?? { brokerDisplay: '' });
  return { cause: m.cause, cause_evidence: evidence, explanation: d.explanation, remediation, evidence: d.evidence };
}

type Fill = (c: ContainerRecord, m: CauseMatch, d: Draft, ctx: CauseContext, lines: string[] | null) => void;

const onDocker = (c: ContainerRecord, args: string[]): Step => ({ kind: 'advice', where: { kind: 'docker', engine: c.engine }, argv: [...dockerWords(c.engine), ...args] });
const inFile = (place: string, argv: string[]): Step => ({ kind: 'advice', where: { kind: 'file', place }, argv });
const onHost = (c: ContainerRecord, argv: string[]): Step => ({ kind: 'advice', where: hostWhere(c.engine), argv });

/** Where to type commands for the engine's own machine: here for a local socket, else over ssh. */
export function hostWhere(engine: string): Where {
  const ssh = engine.match(/^ssh:\/\/([^/]+)/);
  if (ssh) return { kind: 'ssh', target: ssh[1] };
  const tcp = engine.match(/^(?:tcp|https?):\/\/([^/:]+)/);
  return tcp ? { kind: 'ssh', target: tcp[1] } : { kind: 'here' };
}

type Compose = NonNullable<ContainerRecord['compose']>;
const composeFiles = (k: Compose) => (k.config_files ?? '').split(',').filter((f) => f !== '');
const composePlace = (k: Compose) => (composeFiles(k).length ? composeFiles(k).join(', ') : (k.working_dir ?? `compose project ${k.project}`));
const compose = (c: ContainerRecord, k: Compose, args: string[]): Step =>
  ({ kind: 'advice', where: { kind: 'docker', engine: c.engine }, argv: [...composeWords(c.engine, k.project, composeFiles(k), k.working_dir), ...args] });
const composeUp = (c: ContainerRecord, k: Compose): Step =>
  ({ kind: 'compose-up', engine: c.engine, project: k.project, files: composeFiles(k), workingDir: k.working_dir, service: k.service });

const oom: Fill = (c, m, d) => {
  const limit = c.memory_limit ?? null;
  const usage = c.memory_usage ?? null;
  const conc = c.concurrency === null ? 'default (one process per CPU)' : String(c.concurrency);
  const how = m.sigkill ? 'killed by SIGKILL without OOMKilled (out of memory, or a docker kill)' : 'out of memory';
  d.evidence.push(`memory: limit ${limit === null ? 'unknown' : limit > 0 ? size(limit) : 'none'}, usage ${usage === null ? 'unknown' : size(usage)}, concurrency ${conc}`);
  const lower = lowerConcurrency(c);
  if (limit === 0) {
    d.explanation = `${how} with no memory limit set: the host itself ran short (see host-resources), worker concurrency ${conc}`;
    d.steps.push(onHost(c, ['free', '-m']), onHost(c, ['journalctl', '-k', '-g', 'out of memory|killed process']));
    if (lower) d.steps.push(lower);
    return;
  }
  if (limit === null) {
    d.explanation = `${how} (memory limit unknown), worker concurrency ${conc}`;
    if (lower) d.steps.push(lower);
    return;
  }
  const use = usage !== null ? `, using ${size(usage)} (${Math.round((100 * usage) / limit)}%)` : '';
  d.explanation = `${how} at its memory limit of ${size(limit)}${use}, worker concurrency ${conc}`;
  const twice = `${Math.ceil((2 * limit) / MiB)}m`;
  d.steps.push(onDocker(c, ['update', '--memory', twice, '--memory-swap', twice, c.name]));
  if (c.compose) d.steps.push(inFile(`${composePlace(c.compose)}, service ${c.compose.service}`, ['mem_limit:', twice]), composeUp(c, c.compose));
  if (lower) d.steps.push(lower);
};

// Half the processes; only when -c is on the command line and above 1.
function lowerConcurrency(c: ContainerRecord): Step | null {
  if (c.concurrency === null || c.concurrency < 2) return null;
  const place = c.compose ? `${composePlace(c.compose)}, service ${c.compose.service}: command` : "the worker's command line";
  return inFile(place, ['-c', String(Math.floor(c.concurrency / 2))]);
}

const dependency: Fill = (c, m, d, ctx) => {
  const t = m.target ?? null;
  // The worker's broker: its Config.Env or -b (read by the source), else -b read here.
  const own = brokerAddress(c.broker_url ?? workerBroker(c));
  const fleet = ctx.broker ? brokerAddress(ctx.broker.display) : null;
  const isBroker = m.broker === true || (t !== null && (same(t, own) || same(t, fleet)));
  const what = isBroker ? 'the broker' : t?.scheme ? t.scheme : 'a dependency';
  const at = t ? ` at ${t.port === null ? t.host : `${t.host}:${t.port}`}` : ' (no host:port in the log line)';
  const parts = [`cannot reach ${what}${at}`];
  const mode = c.network_mode ?? null;
  if (t && LOOPBACK.test(t.host) && mode !== null && mode !== 'host') parts.push(`inside this container (network ${cleanText(mode)}) ${t.host} is the container itself`);
  const fleetSees = isBroker && t !== null && same(t, fleet);
  if (isBroker && ctx.broker && t && fleet) {
    const shown = redactUrls(cleanText(ctx.broker.display));
    if (!fleetSees) parts.push(`fleetdoc reads ${shown}: the worker is pointed at another broker`);
    else parts.push(ctx.broker.ok ? `the broker fleetdoc reads (${shown}) answers fleetdoc, so the container's network cannot reach it` : `fleetdoc cannot reach it either (${shown}): the broker is down`);
  }
  d.explanation = parts.join('; ');
  if (!c.compose) return;
  d.steps.push(compose(c, c.compose, ['ps']));
  // A compose service is reached by its name: a one-label host is that service.
  const service = t && /^[a-z0-9][a-z0-9_-]*$/.test(t.host) && t.host !== 'localhost' ? t.host : null;
  if (service && !(fleetSees && ctx.broker?.ok)) d.steps.push(compose(c, c.compose, ['restart', service]));
};

const config: Fill = (c, m, d) => {
  const miss = m.missing ?? null;
  if (miss === null) {
    d.explanation = 'credentials rejected: the password or user in its broker or service URL is missing or wrong';
    return;
  }
  if (miss.kind === 'file') {
    d.explanation = `the file ${miss.name} is missing (a secret not mounted?)`;
    d.steps.push(onDocker(c, ['inspect', '-f', '{{json .Mounts}}', c.name]));
    return;
  }
  const at = m.at ? ` (read at ${cleanText(m.at.file)}:${m.at.line})` : '';
  d.explanation = `the environment variable ${miss.name} is not set${at}`;
  // The name passed KEY_ERROR or ENV_SAYS: capitals, digits and underscores only.
  if (!c.compose) d.steps.push(inFile("the container's docker run", ['-e', `${miss.name}=...`]));
  else d.steps.push(inFile(`${composePlace(c.compose)}, service ${c.compose.service}: environment`, [`${miss.name}:`, '...']), composeUp(c, c.compose));
};

const gpu: Fill = (c, _m, d) => {
  d.explanation = 'a GPU error (CUDA or the NVIDIA driver)';
  d.steps.push(onHost(c, ['nvidia-smi']), onDocker(c, ['inspect', '-f', '{{json .HostConfig.DeviceRequests}}', c.name]));
};

// Printed, never run: prune removes stopped containers, unused networks and dangling images.
const disk: Fill = (c, _m, d) => {
  d.explanation = 'no space left on device';
  d.steps.push(onHost(c, ['df', '-h']), onDocker(c, ['system', 'df']), onDocker(c, ['system', 'prune']));
};

const appError: Fill = (c, m, d) => {
  const at = m.at ? ` at ${cleanText(m.at.file)}:${m.at.line}` : '';
  d.explanation = `the application fails to start${at}: ${m.evidence ?? ''}`; // m.evidence is redacted: messages print as they are
  if (c.compose) d.steps.push(compose(c, c.compose, ['build', c.compose.service]), composeUp(c, c.compose));
};

const unknown: Fill = (_c, _m, d, _ctx, lines) => {
  const kept = (lines ?? []).map((l) => cleanText(l).trimEnd()).filter((l) => l.trim() !== '');
  if (lines === null) d.explanation = 'cause unknown: its log was not read (not within --timeout, or past the containers read)';
  else if (kept.length === 0) d.explanation = 'cause unknown: its log is empty';
  else d.explanation = `no known cause in its last ${kept.length} log lines`;
  d.evidence.push(...kept.slice(-SHOWN_LINES).map((l) => `log: ${redactUrls(l)}`));
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

function same(t: Target, b: { host: string; port: number | null } | null): boolean {
  if (b === null || normalHost(t.host.replace(/^\[|\]$/g, '')) !== normalHost(b.host)) return false;
  return t.port === null || b.port === null || t.port === b.port;
}
