// Pure: the evidence the model judges workers by, as plain records. The gather layer fills it
// from the sources; tests fill it by hand.
import type { BrokerWorker, ContainerRecord, ProcessRecord } from '../types.js';

/** The broker fleetdoc reads, as matched against workers' sockets and settings. */
export interface OurBroker {
  kind: 'redis' | 'sentinel' | 'amqp';
  display: string;
  /** host:port actually connected to (a Sentinel's master, a failover list's pick); null for a socket. */
  host: string | null;
  port: number | null;
  db: number;
  vhost: string | null;
}

/** One client connection as the broker sees it. */
export interface ClientConn {
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

export interface HeartbeatFact {
  /** Unix seconds, from the latest event's own timestamp. */
  last_heartbeat_at: number;
  /** Unix seconds on our clock when that event arrived: the worker's clock may be off. */
  received_at?: number;
  /** That event was worker-offline: a goodbye, not a beat. */
  offline?: boolean;
  freq: number | null;
  active: number | null;
  processed: number | null;
  loadavg: number[] | null;
}

export interface TaskOutcomes {
  succeeded: number;
  failed: number;
  retried: number;
  rejected: number;
}

export interface BrokerReplies {
  workers: BrokerWorker[];
  roster: string[];
  heldTasks: Map<string, string[]>;
  /** Listeners the broadcast reached, as the broker counted them; null when it cannot tell. */
  reached: number | null;
  /** AMQP: consumers of each roster entry's mailbox queue. */
  rosterConsumers?: Map<string, number>;
}

export interface SourceStatus {
  /** ssh targets and Docker engines, and whether they could be read. */
  hosts: { target: string; ok: boolean; error: string | null; hostname: string | null }[];
  engines: { engine: string; ok: boolean; error: string | null }[];
}

export interface FleetEvidence {
  broker: OurBroker;
  /** null when the broker could not be read at all. */
  replies: BrokerReplies | null;
  /** null: not asked, or the broker could not list its clients. */
  clients: ClientConn[] | null;
  containers: ContainerRecord[];
  processes: ProcessRecord[];
  sources: SourceStatus;
  /** Heartbeats heard while listening; listenedS 0 = not listened. */
  heartbeats: Map<string, HeartbeatFact>;
  listenedS: number;
  tasks: Map<string, TaskOutcomes>;
  /** Unacked tasks held by no responsive worker, per queue. */
  orphans: Map<string, { count: number; oldestAt: number | null }>;
}

/** Seconds since the last beat, on our own clock when known (a worker's clock may be seconds off). */
export function heartbeatAgeS(hb: HeartbeatFact, nowS: number): number {
  return Math.max(0, nowS - (hb.received_at ?? hb.last_heartbeat_at));
}
