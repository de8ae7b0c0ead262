// Plain records shared by sources, model and renderers. No I/O here.

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
}
