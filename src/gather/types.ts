// What the gather layer needs from its caller: settings, a clock, env, and the source factories.
// Commands hand it the real sources; tests hand it fakes and run a whole command in-process.
import type { Effects } from '../model/remedy/effects.js';
import type { BrokerClient } from '../sources/broker/client.js';
import type { BrokerTarget } from '../sources/broker/url.js';
import type { DockerEngineResult, DockerOptions } from '../sources/docker/containers.js';
import type { RegistryOptions, RegistryResult } from '../sources/registry.js';
import type { SshOptions } from '../sources/ssh/hosts.js';
import type { HostReport } from '../sources/ssh/parse.js';

export interface SshSettings {
  hosts: string[];
  config: string | null;
  concurrency: number;
  fastKex: boolean;
}

export interface GatherSettings {
  broker: BrokerTarget;
  serverVersion: string | null;
  compatible: string | null;
  timeoutMs: number;
  docker: { endpoints: string[]; labels: string[] };
  ssh: SshSettings;
  /** Last N log lines of problem containers (0 = none). */
  logs: number;
}

export interface EffectOptions {
  timeoutMs: number;
  sshConfig: string | null;
  fastKex: boolean;
  env: NodeJS.ProcessEnv;
}

export interface Sources {
  openBroker(target: BrokerTarget, timeoutMs: number): Promise<BrokerClient>;
  docker(endpoints: string[], o: DockerOptions): Promise<DockerEngineResult[]>;
  ssh(s: SshSettings, o: SshOptions): Promise<HostReport[]>;
  registry(url: string, o: RegistryOptions): Promise<RegistryResult>;
  /** The only side effects fleetdoc has: kill --yes. */
  effects(broker: BrokerClient, o: EffectOptions): Promise<Effects & { close(): void }>;
}

/** Marks a source pending while it runs (the spinner); a no-op when nobody watches. */
export interface Tracker {
  track<T>(name: string, p: Promise<T>): Promise<T>;
}

export interface GatherContext {
  now: () => number;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  sources: Sources;
  progress: Tracker;
  warn(message: string): void;
  info(message: string): void;
}
