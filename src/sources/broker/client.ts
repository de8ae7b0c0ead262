// What every broker kind (Redis, Sentinel, RabbitMQ) offers the gather layer. Each method reads;
// only shutdown and removeGhost change anything, and only `kill --yes` calls them.
import type { BrokerWorker } from '../../model/types.js';
import type { BrokerTarget } from './url.js';

export interface WorkersQuery {
  timeoutMs: number;
  /** Worker names to address; empty or undefined = every worker. */
  destination?: string[];
  signal?: AbortSignal;
  /** Also ask active/reserved/scheduled, to tell whose unacked tasks are whose. */
  tasks?: boolean;
}

export interface BrokerWorkersResult {
  workers: BrokerWorker[];
  /** Names in the broker's roster (Redis: _kombu.binding.celery.pidbox; AMQP: <name>.celery.pidbox queues). */
  roster: string[];
  /** Task ids each responsive worker reported in active, reserved or scheduled (when asked). */
  heldTasks: Map<string, string[]>;
  /**
   * How many listeners the broadcast reached, as the broker counted them (Redis: PUBLISH's return;
   * AMQP: consumers of the pidbox queues). null when the broker cannot tell.
   */
  reached: number | null;
  /** AMQP only: roster names whose pidbox queue has this many consumers (0 = a ghost). */
  rosterConsumers?: Map<string, number>;
  warnings: string[];
}

export interface TaskCounts {
  succeeded: number;
  failed: number;
  retried: number;
  rejected: number;
}

export interface Heartbeat {
  /** The worker's node name, e.g. celery@pandalab-01. */
  hostname: string;
  /** Unix seconds, from the latest event's own timestamp. */
  last_heartbeat_at: number;
  /** Local unix seconds when that event arrived. */
  received_at: number;
  freq: number | null;
  active: number | null;
  processed: number | null;
  loadavg: number[] | null;
  sw_ver: string | null;
  /** The worker said goodbye (worker-offline) and has not come back online since. */
  offline: boolean;
  /** Worker events seen in the window. */
  count: number;
}

export interface EventsResult {
  workers: Map<string, Heartbeat>;
  /** Task outcomes per worker name, from task-* events (only workers started with -E send them). */
  tasks: Map<string, TaskCounts>;
  warnings: string[];
}

/** An event stream kept open across refreshes (watch, metrics --listen). */
export interface EventSubscription {
  /** Unix seconds when the subscription was in place. */
  readonly since: number;
  /** Everything heard since `since`: the newest heartbeat per worker, task outcomes counted. */
  snapshot(): EventsResult;
  close(): Promise<void>;
}

export interface QueueRead {
  name: string;
  messages: number;
  unacked: number;
  oldestUnackedAt: number | null;
  /** Unacked entries no responsive worker claims (Redis: by task id; AMQP: consumers gone). */
  orphaned: number;
  oldestOrphanAt: number | null;
  /** AMQP: consumers the broker counts on the queue; null when it cannot tell. */
  consumers: number | null;
  readProblems: string[];
}

export interface QueuesResult {
  queues: QueueRead[];
  warnings: string[];
}

/** The broker's own health, for diagnose's broker check. What a kind cannot tell stays null. */
export interface BrokerInfo {
  kind: 'redis' | 'rabbitmq';
  latency_ms: number;
  version: string | null;
  used_memory: number | null;
  maxmemory: number | null;
  maxmemory_policy: string | null;
  rejected_connections: number | null;
  evicted_keys: number | null;
  /** RabbitMQ node alarms (memory, disk), as sentences. */
  alarms: string[];
}

/** One client connection as the broker sees it: positive evidence of who is still there. */
export interface BrokerClientConn {
  /** The client's address as the broker sees it, host:port. */
  addr: string;
  /** The broker-side address it connected to, host:port, when known. */
  laddr: string | null;
  /** The Redis db it selected; null for AMQP. */
  db: number | null;
  /** The AMQP vhost; null for Redis. */
  vhost: string | null;
  /** Pub/sub subscriptions (Redis sub + psub) or consumers (AMQP). */
  subscriptions: number;
  idle_s: number | null;
  name: string | null;
}

export interface ClientsResult {
  ok: boolean;
  error: string | null;
  clients: BrokerClientConn[];
}

export interface BrokerClient {
  readonly target: BrokerTarget;
  readonly kind: 'redis' | 'amqp';
  /** Where we are actually connected (a failover list's or a Sentinel's pick), password masked. */
  readonly display: string;
  /** host:port actually connected to, for matching workers' sockets against. */
  readonly endpoint: { host: string; port: number } | null;
  workers(q: WorkersQuery): Promise<BrokerWorkersResult>;
  listen(o: { seconds: number; signal?: AbortSignal }): Promise<EventsResult>;
  /** Optional: stay subscribed. Kinds without it are read with repeated listen windows. */
  subscribe?(): Promise<EventSubscription>;
  /** Queue names from the broker's bindings (AMQP: every queue of the vhost), internal ones left out. */
  queueNames(): Promise<{ names: string[]; warnings: string[] }>;
  /** Depths and unacked aggregates; `held` are the task ids responsive workers reported. */
  readQueues(names: string[], held: Set<string>): Promise<QueuesResult>;
  info(): Promise<BrokerInfo>;
  clients(): Promise<ClientsResult>;
  /** kill --yes only: send remote-control shutdown (never answered). */
  shutdown(names: string[]): Promise<void>;
  /** Does it answer a ping now? For verifying a kill. */
  answering(name: string, timeoutMs: number): Promise<boolean>;
  /** kill --stale --yes only: remove the roster entry of a gone worker (Redis). */
  removeGhost(name: string): Promise<void>;
  close(): Promise<void>;
}
