// What every broker kind (Redis, Sentinel, RabbitMQ) offers the gather layer. Each method reads;
// only shutdown and removeGhost change anything, and only `kill --yes` calls them.
import type { BrokerReplies, ClientConn, HeartbeatFact, TaskOutcomes } from '../../model/verdict/evidence.js';
import type { QueueFacts } from '../../model/queues.js';
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

/** The records the model reads (model/verdict/evidence.ts), plus what the reading left to say. */
export interface BrokerWorkersResult extends BrokerReplies {
  workers: BrokerWorker[];
  warnings: string[];
}

export type TaskCounts = TaskOutcomes;

export interface Heartbeat extends HeartbeatFact {
  /** The worker's node name, e.g. celery@pandalab-01. */
  hostname: string;
  /** Local unix seconds when the latest event arrived. */
  received_at: number;
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

export interface QueueRead extends QueueFacts {
  /** AMQP: consumers the broker counts on the queue; null when it cannot tell. */
  consumers: number | null;
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
export type BrokerClientConn = ClientConn;

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
