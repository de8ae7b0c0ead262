// Which listed containers may be Celery workers, and the ContainerRecord of
// an inspected one. Pure: engine answers in, plain records out.
import type { ContainerInfo, ContainerInspectInfo } from 'dockerode';
import { BROKER_ENV, brokerEvidence } from '../../model/worker/broker-evidence.js';
import { expandNodeName, parseCeleryWorker, splitShellWords } from '../../model/worker/celery-argv.js';
import type { ContainerRecord } from '../../model/types.js';

export const WORKER_LABEL = 'fleetdoc.worker';
const VERSION_LABEL = 'org.opencontainers.image.version';
const NEVER = /^0001-01-01/; // Docker's zero time for "not yet"

type Labels = Record<string, string> | null | undefined;

export function isLabelledWorker(labels: Labels): boolean {
  const v = labels && typeof labels === 'object' ? labels[WORKER_LABEL] : undefined;
  return typeof v === 'string' && /^(true|1|yes)$/i.test(v.trim());
}

/**
 * 'worker' when the list entry shows a worker, 'maybe' when only an inspect
 * can tell, null when it is not one. The list's Command is argv joined with
 * spaces, quoting only words that contain a space, without escaping: an
 * `sh -c "... 'x' ..."` comes out garbled, hence 'maybe' for those.
 */
export function candidacy(c: Pick<ContainerInfo, 'Command' | 'Labels'>): 'worker' | 'maybe' | null {
  if (isLabelledWorker(c.Labels)) return 'worker';
  const cmd = typeof c.Command === 'string' ? c.Command : '';
  if (!/celery/i.test(cmd)) return null;
  const words = splitShellWords(cmd);
  if (words !== null && parseCeleryWorker(words) !== null) return 'worker';
  return /\bworker\b/i.test(cmd) ? 'maybe' : null;
}

/** The argv that ran: Entrypoint + Cmd, else Path + Args. */
export function containerArgv(info: ContainerInspectInfo): string[] {
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((w): w is string => typeof w === 'string') : typeof v === 'string' ? [v] : []);
  const fromConfig = [...strings(info.Config?.Entrypoint), ...strings(info.Config?.Cmd)];
  if (fromConfig.length > 0) return fromConfig;
  return [...strings(info.Path), ...strings(info.Args)];
}

/** The record of an inspected container, or null when it is not a worker after all. */
export function containerRecord(engine: string, info: ContainerInspectInfo): ContainerRecord | null {
  const config = info?.Config;
  const state = info?.State;
  if (!config || !state) return null;
  const labels: Labels = config.Labels;
  const command = containerArgv(info);
  const args = parseCeleryWorker(command);
  if (args === null && !isLabelledWorker(labels)) return null;
  const hostname = str(config.Hostname) ?? '';
  const label = (key: string) => (labels && typeof labels[key] === 'string' ? labels[key] : null);
  const project = label('com.docker.compose.project');
  const service = label('com.docker.compose.service');
  const policy = (info.HostConfig as { RestartPolicy?: { Name?: unknown } } | undefined)?.RestartPolicy?.Name;
  // Docker reports "no" as "" on some versions.
  const restartPolicy = typeof policy === 'string' ? policy || 'no' : null;
  return {
    engine,
    id: str(info.Id) ?? '',
    name: (str(info.Name) ?? '').replace(/^\//, ''),
    image: str(config.Image) ?? str(info.Image) ?? '',
    status: str(state.Status) ?? 'unknown',
    restart_count: num(info.RestartCount) ?? 0,
    exit_code: num(state.ExitCode),
    oom_killed: state.OOMKilled === true,
    started_at: time(state.StartedAt),
    finished_at: time(state.FinishedAt),
    compose: project && service
      ? { project, service, working_dir: label('com.docker.compose.project.working_dir'), config_files: label('com.docker.compose.project.config_files') }
      : null,
    hostname,
    command,
    worker_name: expandNodeName(args?.hostname ?? null, hostname),
    queues: args?.queues ?? null,
    concurrency: args?.concurrency ?? null,
    image_version: label(VERSION_LABEL),
    pid: num(state.Pid) ?? 0,
    ...brokerEvidence(command, brokerEnv(config.Env)),
    restart_policy: restartPolicy,
    supervisor: project && service
      ? { kind: 'compose', name: `${project}/${service}`, restart: restartPolicy }
      : { kind: 'docker', name: (str(info.Name) ?? '').replace(/^\//, '') || null, restart: restartPolicy },
    memory_limit: num(info.HostConfig?.Memory),
    memory_usage: null, // read by stats, for the containers that need it
    network_mode: str(info.HostConfig?.NetworkMode),
    last_exit_code: null, // from the events, for the containers that need it
    oom_events: null,
  };
}

/** Only the broker variables of Config.Env ("K=V" strings); the rest never leaves here. */
export function brokerEnv(env: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!Array.isArray(env)) return out;
  for (const kv of env) {
    if (typeof kv !== 'string') continue;
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    if (eq > 0 && (BROKER_ENV as readonly string[]).includes(key)) out[key] = kv.slice(eq + 1);
  }
  return out;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const time = (v: unknown): string | null => (typeof v === 'string' && v !== '' && !NEVER.test(v) ? v : null);
