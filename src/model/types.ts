// Plain records shared by sources, model and renderers. No I/O here.
import type { Verdict } from './verdict.js';

export type Status = 'compatible' | 'unversioned' | 'mismatched';
export type Reason = null | 'no_version_tag' | 'version_mismatch';
export type Drift = 'ahead' | 'behind' | null;
export type Severity = 'ok' | 'warning' | 'critical' | 'unknown';
export type SourceName = 'broker' | 'docker' | 'ssh';

/** `basename-v<version>@hostname`, split. */
export interface ParsedName {
  name: string;
  basename: string;
  host: string | null;
  /** The version text exactly as written in the name, without the `v`. */
  version: string | null;
}

/** What the broker says about one worker (roster entry plus remote-control replies). */
export interface BrokerWorker {
  name: string;
  responsive: boolean;
  pid: number | null;
  concurrency: number | null;
  uptime_s: number | null;
  /** null when the worker did not answer active_queues. */
  queues: string[] | null;
  /** Pool children's pids, from stats. */
  children: number[];
  /** The broker the worker says it is connected to. */
  broker: { hostname: string | null; port: number | null; virtual_host: string | null } | null;
  in_roster: boolean;
}

/** A worker after merging every source and classifying it. */
export interface Worker {
  name: string;
  basename: string;
  host: string | null;
  version: string | null;
  status: Status;
  drift: Drift;
  compatible: boolean;
  reason: Reason;
  /** One sentence when the classification needs explaining (unparseable version, range). */
  reason_detail: string | null;
  responsive: boolean;
  in_roster: boolean;
  queues: string[];
  pid: number | null;
  children: number[];
  concurrency: number | null;
  uptime_s: number | null;
  sources: SourceName[];
  /** The container running this worker, when Docker knows it. */
  container: ContainerRecord | null;
  /** The main process running this worker, when an SSH host shows it. */
  process: ProcessRecord | null;
  /** The broker it says it is connected to (from stats). */
  broker: BrokerWorker['broker'];
  /** Set when another process or container runs under the same name and is not the one answering. */
  duplicate_of: string | null;
  /** For a worker the broker does not know (or that does not answer): the likelier reason, from its state. */
  unresponsive_reason: string | null;
  /** The one verdict every command reads: liveness state, severity, broker match, actionable. */
  verdict: Verdict;
}

/** A container whose command runs a Celery worker (or labelled fleetdoc.worker=true). */
export interface ContainerRecord {
  /** The engine's endpoint as given, e.g. unix:///var/run/docker.sock. */
  engine: string;
  id: string;
  name: string;
  image: string;
  /** Docker's State.Status: running, restarting, exited, created, paused, dead. */
  status: string;
  restart_count: number;
  exit_code: number | null;
  oom_killed: boolean;
  started_at: string | null;
  finished_at: string | null;
  compose: { project: string; service: string; working_dir: string | null; config_files: string | null } | null;
  /** The container's hostname, used for %h. */
  hostname: string;
  /** Full argv (entrypoint + cmd). */
  command: string[];
  /** The Celery worker name this container runs under, expanded as Celery does. */
  worker_name: string;
  queues: string[] | null;
  concurrency: number | null;
  /** The image's org.opencontainers.image.version label, if any. */
  image_version: string | null;
  /** The container's main pid on the docker host (0 when not running). */
  pid: number;
  /** The broker its Config.Env or -b names, password masked; null when neither says. */
  broker_url?: string | null;
  broker_from?: 'env' | 'argv' | null;
}

/** A Celery worker main process found on an SSH host. */
export interface ProcessRecord {
  /** The ssh target as given (alias, user@host, host:port). */
  target: string;
  /** The host's own name (hostname), used for %h. */
  host: string;
  pid: number;
  ppid: number;
  /** ps STAT first letter: R, S, D, T, Z … */
  state: string;
  elapsed_s: number;
  rss_kb: number;
  children: number[];
  command: string;
  argv: string[];
  worker_name: string;
  queues: string[] | null;
  concurrency: number | null;
  /** Its working directory, when the probe could read it (same user or root); the start line needs it. */
  cwd?: string | null;
  /** The broker its environment or -b names, password masked; null when neither says. */
  broker_url?: string | null;
  broker_from?: 'env' | 'argv' | null;
  /** Its TCP connections (ESTABLISHED, SYN_SENT); null when they could not be read. */
  connections?: TcpConnection[] | null;
}

export interface TcpConnection {
  /** host:port on the worker's side; the broker lists the client under this address. */
  local: string;
  remote: string;
  state: 'established' | 'syn-sent' | string;
}
