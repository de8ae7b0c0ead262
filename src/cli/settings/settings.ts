// Global settings: flags beat environment, which beats the config file, which beats defaults.
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import type { GatherSettings, SshSettings } from '../../gather/types.js';
import { DEFAULT_DOCKER_ENDPOINT } from '../../model/remedy/commands.js';
import { isValidRange, parseVersion } from '../../model/worker/version.js';
import { parseBrokerUrl, type BrokerTarget } from '../../sources/broker/url.js';
import { configPath, loadConfig, type ConfigFile } from './config.js';

export interface GlobalFlags {
  broker?: string;
  serverVersion?: string;
  serverVersionFrom?: string;
  compatible?: string;
  timeout?: string;
  json?: boolean;
  color?: boolean;
  config?: string;
  debug?: boolean;
  docker?: string[] | false;
  ssh?: string[];
  sshConfig?: string;
  sshConcurrency?: string;
  sshFastKex?: boolean;
  logs?: string;
  dockerLabel?: string[];
  brokerTransportOption?: string[];
  rabbitmqApi?: string;
}

export type { SshSettings } from '../../gather/types.js';

export interface DockerSettings {
  /** Endpoints to inspect; empty = Docker is not a source this run. */
  endpoints: string[];
  /** Only containers carrying these labels (--docker-label). */
  labels: string[];
}

export interface Settings extends GatherSettings {
  broker: BrokerTarget;
  /** Where the server version came from, for messages. */
  serverVersionFrom: string | null;
  json: boolean;
  color: boolean;
  debug: boolean;
  config: ConfigFile;
  docker: DockerSettings;
  warnings: string[];
}

export const DEFAULT_BROKER = 'redis://localhost:6379/0';

export function resolveSettings(flags: GlobalFlags, env: NodeJS.ProcessEnv, stdoutIsTTY: boolean): Settings {
  const path = configPath(flags.config, env);
  const { config, warnings } = loadConfig(path, Boolean(flags.config || env.FLEETDOC_CONFIG));
  const broker = parseBrokerUrl(flags.broker ?? env.CELERY_BROKER_URL ?? config.broker ?? DEFAULT_BROKER, transportOptions(flags, config));
  const server = serverVersion(flags, env, config);
  const compatible = flags.compatible ?? config.compatible ?? null;
  if (compatible !== null && !isValidRange(compatible)) throw new UsageError(`--compatible ${JSON.stringify(compatible)} is not a valid semver range`);
  return {
    broker,
    ...server,
    compatible,
    timeoutMs: timeout(flags.timeout ?? config.timeout),
    json: Boolean(flags.json),
    color: colorWanted(flags.color !== false, env, stdoutIsTTY) && !flags.json,
    debug: Boolean(flags.debug),
    config,
    docker: dockerSettings(flags, env, config),
    ssh: sshSettings(flags, config),
    logs: count('--logs', flags.logs ?? '0', 0, 10_000),
    warnings,
  };
}

/** kombu's transport options: the config file's broker_transport_options, then each --broker-transport-option. */
function transportOptions(flags: GlobalFlags, config: ConfigFile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config.broker_transport_options ?? {})) out[k] = String(v);
  for (const kv of flags.brokerTransportOption ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--broker-transport-option ${JSON.stringify(kv)} must be KEY=VALUE, e.g. master_name=mymaster`);
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  if (flags.rabbitmqApi) out.rabbitmq_api = flags.rabbitmqApi;
  return out;
}

function serverVersion(flags: GlobalFlags, env: NodeJS.ProcessEnv, config: ConfigFile): { serverVersion: string | null; serverVersionFrom: string | null } {
  const pick = (v: string, from: string) => {
    const version = v.trim().replace(/^v/i, '');
    if (!parseVersion(version).ok) throw new UsageError(`server version ${JSON.stringify(v)} (${from}) is not a version`);
    return { serverVersion: version, serverVersionFrom: from };
  };
  if (flags.serverVersion) return pick(flags.serverVersion, '--server-version');
  if (flags.serverVersionFrom) return pick(readPythonVersion(flags.serverVersionFrom), flags.serverVersionFrom);
  if (env.FLEETDOC_SERVER_VERSION) return pick(env.FLEETDOC_SERVER_VERSION, 'FLEETDOC_SERVER_VERSION');
  if (config.server_version) return pick(config.server_version, 'config file');
  if (config.server_version_from) return pick(readPythonVersion(config.server_version_from), config.server_version_from);
  return { serverVersion: null, serverVersionFrom: null };
}

/** `__version__ = "0.13.0"` from a Python file such as app/version.py. */
export function readPythonVersion(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  const m = /^__version__\s*(?::\s*str\s*)?=\s*(['"])([^'"\n]+)\1/m.exec(text);
  if (!m) throw new UsageError(`no __version__ = "…" line in ${file}`);
  return m[2];
}

export const DEFAULT_DOCKER_SOCKET = DEFAULT_DOCKER_ENDPOINT.slice('unix://'.length);

/** --no-docker wins; then --docker endpoints; then config; then DOCKER_HOST or the default socket, if present. */
function dockerSettings(flags: GlobalFlags, env: NodeJS.ProcessEnv, config: ConfigFile): DockerSettings {
  const labels = [...(config.docker_labels ?? []), ...(flags.dockerLabel ?? [])];
  for (const l of labels) if (!/^[^=\s]+(=.*)?$/.test(l)) throw new UsageError(`--docker-label ${JSON.stringify(l)} must be KEY or KEY=VALUE`);
  return { endpoints: dockerEndpoints(flags, env, config), labels };
}

function dockerEndpoints(flags: GlobalFlags, env: NodeJS.ProcessEnv, config: ConfigFile): string[] {
  if (flags.docker === false) return [];
  const given = (flags.docker ?? []).map((e) => (e === 'default' ? defaultDockerEndpoint(env) : e));
  if (given.length) return [...new Set(given)];
  if (config.docker?.length) return config.docker;
  if (env.DOCKER_HOST) return [env.DOCKER_HOST];
  return existsSync(DEFAULT_DOCKER_SOCKET) ? [DEFAULT_DOCKER_ENDPOINT] : [];
}

function defaultDockerEndpoint(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_HOST || DEFAULT_DOCKER_ENDPOINT;
}

function sshSettings(flags: GlobalFlags, config: ConfigFile): SshSettings {
  const hosts = flags.ssh?.length ? flags.ssh : (config.ssh ?? []);
  for (const h of hosts) {
    // A host starting with '-' would be read by ssh as an option.
    if (!h || h.startsWith('-') || /\s/.test(h)) throw new UsageError(`--ssh ${JSON.stringify(h)} is not a host`);
  }
  return {
    hosts: [...new Set(hosts)],
    config: flags.sshConfig ?? config.ssh_config ?? null,
    concurrency: count('--ssh-concurrency', flags.sshConcurrency ?? '16', 1, 1024),
    fastKex: Boolean(flags.sshFastKex),
  };
}

function count(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} ${JSON.stringify(v)} must be a whole number from ${min} to ${max}`);
  return n;
}

function timeout(v: string | number | undefined): number {
  if (v === undefined) return 1000;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new UsageError(`--timeout ${JSON.stringify(String(v))} must be a number of seconds above 0`);
  return Math.round(n * 1000);
}

/** NO_COLOR and --no-color turn colour off; FORCE_COLOR turns it on even when piped. */
export function colorWanted(flag: boolean, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY;
}
