// The optional JSON config file: where it is looked for, and what it may hold.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';

export interface ConfigFile {
  broker?: string;
  server_version?: string;
  server_version_from?: string;
  compatible?: string;
  timeout?: number;
  ssh?: string[];
  ssh_config?: string;
  docker?: string[];
  registry?: string[];
  min_workers?: Record<string, number> | number;
  /** kombu's broker_transport_options, e.g. {"master_name": "mymaster"} for Sentinel. */
  broker_transport_options?: Record<string, string | number>;
  /** Only containers carrying these labels. */
  docker_labels?: string[];
}

export const KNOWN = new Set(['broker', 'server_version', 'server_version_from', 'compatible', 'timeout', 'ssh', 'ssh_config', 'docker', 'registry', 'min_workers', 'broker_transport_options', 'docker_labels']);

/** -c wins; else $FLEETDOC_CONFIG; else ./fleetdoc.json; else $XDG_CONFIG_HOME/fleetdoc/config.json. */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv, cwd = process.cwd()): string | null {
  if (flag) return flag;
  if (env.FLEETDOC_CONFIG) return env.FLEETDOC_CONFIG;
  const local = join(cwd, 'fleetdoc.json');
  if (existsSync(local)) return local;
  const xdg = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  const user = join(xdg, 'fleetdoc', 'config.json');
  return existsSync(user) ? user : null;
}

export function loadConfig(path: string | null, explicit: boolean): { config: ConfigFile; warnings: string[] } {
  if (!path) return { config: {}, warnings: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return { config: {}, warnings: [] };
    throw new UsageError(`cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`config file ${path} must hold a JSON object`);
  }
  const warnings = Object.keys(data).filter((k) => !KNOWN.has(k)).map((k) => `config file ${path}: unknown setting ${JSON.stringify(k)} ignored`);
  return { config: data as ConfigFile, warnings };
}
