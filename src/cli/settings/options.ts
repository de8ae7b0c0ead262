// Command options shared by stale, kill and diagnose: listening, registries, timeouts, grace.
import { UsageError } from '../../errors.js';
import { GRACE_S } from '../../model/remedy/steps.js';
import { DEFAULT_UNACKED_AGE_S, parseMinWorkers, type QueuePolicy } from '../../model/queues.js';
import { parseDuration } from '../../util/duration.js';
import type { Settings } from './settings.js';

export interface StaleOptions {
  listen?: string;
  registry?: string[];
  healthyTimeout?: string;
  staleTimeout?: string;
  visibilityTimeout?: string;
  grace?: string;
}

export interface StaleSettings {
  listenS: number;
  healthyS: number;
  staleS: number;
  visibilityS: number;
  graceS: number;
  registries: string[];
}

export function staleSettings(env: NodeJS.ProcessEnv, settings: Settings, opts: StaleOptions): StaleSettings {
  const healthyS = seconds('--healthy-timeout', opts.healthyTimeout ?? env.HEARTBEAT_TIMEOUT_SECONDS ?? '300', 1, 1e7);
  return {
    listenS: seconds('--listen', opts.listen ?? '2.5', 0, 600),
    healthyS,
    staleS: seconds('--stale-timeout', opts.staleTimeout ?? env.WORKER_TIMEOUT_SECONDS ?? '600', healthyS, 1e7),
    visibilityS: seconds('--visibility-timeout', opts.visibilityTimeout ?? '3600', 1, 1e8),
    graceS: seconds('--grace', opts.grace ?? String(GRACE_S), 0, 3600),
    registries: [...(settings.config.registry ?? []), ...(opts.registry ?? [])],
  };
}

/** --min-workers from the config file first, then the flags; --unacked-age. The same for queues and diagnose. */
export function queuePolicy(settings: Settings, minWorkers: string[], unackedAge: string | undefined, nowS: number): QueuePolicy {
  const m = settings.config.min_workers;
  const fromConfig = m === undefined ? [] : typeof m === 'number' ? [String(m)] : Object.entries(m).map(([q, n]) => `${q}=${n}`);
  const min = parseMinWorkers([...fromConfig, ...minWorkers]);
  if (typeof min === 'string') throw new UsageError(min);
  const unackedAgeS = unackedAge === undefined ? DEFAULT_UNACKED_AGE_S : parseDuration(unackedAge);
  if (unackedAgeS === null) throw new UsageError(`--unacked-age ${JSON.stringify(unackedAge)} must be a duration such as 600, 90s, 10m or 1h`);
  return { ...min, unackedAgeS, nowS };
}

function seconds(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} ${JSON.stringify(v)} must be a number of seconds from ${min} to ${max}`);
  return n;
}
