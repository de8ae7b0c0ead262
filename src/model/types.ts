// Plain records shared by sources, model and renderers. No I/O here.

export type Status = 'compatible' | 'unversioned' | 'mismatched';
export type Reason = null | 'no_version_tag' | 'version_mismatch';
export type Drift = 'ahead' | 'behind' | null;
export type Severity = 'ok' | 'warning' | 'critical' | 'unknown';
export type SourceName = 'broker' | 'docker' | 'ssh';
export type LivenessState = 'healthy' | 'degraded' | 'unresponsive' | 'stale' | 'gone' | 'foreign';
export type BrokerMatch = 'same' | 'other' | 'none' | 'unknown';

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

/** How a worker was started, and so what brings it back after a kill. */
export type SupervisorKind = 'systemd' | 'supervisord' | 'script' | 'docker' | 'compose' | 'kubernetes' | 'none';

export interface Supervisor {
  kind: SupervisorKind;
  /**
   * systemd: the unit; supervisord: group:program; script: the script path (or
   * `sh -c` text); docker: the container name; compose: project/service;
   * kubernetes: the pod (its hostname); none: null.
   */
  name: string | null;
  /**
   * The restart setting as the supervisor spells it: systemd Restart= (no,
   * always, on-failure…), supervisord autorestart (true, false, unexpected),
   * Docker's restart policy (no, always, unless-stopped, on-failure). null = unknown.
   */
  restart: string | null;
  /** script: the shell running the loop. */
  parent_pid?: number;
  /** systemd: ExecStart= as systemctl shows it. */
  exec_start?: string | null;
  /** systemd: the unit file. */
  fragment_path?: string | null;
  /** systemd: a user unit (`systemctl --user`), run by that user's manager. */
  user_unit?: boolean;
  /** What runs the supervisor itself (a script started by systemd), when known. */
  outer?: Supervisor | null;
}

/** A TCP connection of a worker process, from its own network namespace. */
export interface Connection {
  /** `addr:port`; IPv6 as `[addr]:port`, IPv4-mapped IPv6 as plain IPv4. */
  local: string;
  remote: string;
  state: 'ESTABLISHED' | 'SYN_SENT';
}

/** Where a worker's broker URL came from: -b/--broker on its command line, or its environment. */
export type BrokerFrom = 'argv' | 'env';

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
  /** The broker URL its command line (-b/--broker) or Config.Env names, password masked; null = neither says. */
  broker_url?: string | null;
  broker_from?: BrokerFrom | null;
  /** HostConfig.RestartPolicy.Name: no, always, unless-stopped, on-failure (null = not in the inspect). */
  restart_policy?: string | null;
  /** kind compose (name project/service) or docker (name = container name), restart = the restart policy. */
  supervisor?: Supervisor | null;
  /** HostConfig.Memory in bytes: 0 when no limit is set, null when the engine did not say. */
  memory_limit?: number | null;
  /** Memory in use (bytes, page cache excluded) from a one-shot stats read; null when not read or not running. */
  memory_usage?: number | null;
  /** HostConfig.NetworkMode (host, bridge, none, a network name), null when unknown. */
  network_mode?: string | null;
  /** From the engine's events of the last hour (null when not read): the newest `die`'s exit code, and `oom` events. */
  last_exit_code?: number | null;
  oom_events?: number | null;
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
  // The fields below are absent only in records built by hand (tests, older code).
  /**
   * The broker URL from -b/--broker, else from CELERY_BROKER_URL, BROKER_URL or
   * CELERY_BROKER in its environment (in that order), password masked. null = none
   * said, or the environment could not be read.
   */
  broker_url?: string | null;
  broker_from?: BrokerFrom | null;
  /** Established and connecting TCP connections; null = could not be read (another user's process, no awk), [] = none. */
  connections?: Connection[] | null;
  /**
   * Its network namespace (`net:[4026531840]`): connections to 127.0.0.1 mean the
   * host's loopback only when this is the host's namespace. null = unreadable.
   */
  netns?: string | null;
  /** The systemd lines of /proc/<pid>/cgroup (name=systemd, unified 0::); null = unreadable. */
  cgroup?: string | null;
  /** What started it and restarts it; null = nothing could be read to tell. */
  supervisor?: Supervisor | null;
}

/** The one verdict per worker (src/model/verdict/verdict.ts computes it). */
export interface Verdict {
  state: LivenessState;
  /** Everything together: liveness, and an incompatible worker that can take tasks. */
  severity: Severity;
  /** Liveness alone (what `stale` grades). */
  liveness_severity: Severity;
  reasons: string[];
  broker_match: BrokerMatch;
  /** Where it is connected or pointed (password masked), when known. */
  broker: string | null;
  /** Positive evidence backs the state: selectors and globs may plan a kill or cleanup on it. */
  actionable: boolean;
  unacked: { count: number; oldest_age_s: number | null } | null;
}
