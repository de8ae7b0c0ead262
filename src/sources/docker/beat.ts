// Containers running `celery beat`: picked from the list call, inspected for their argv and env,
// linked to a broker by -b/--broker or CELERY_BROKER_URL/BROKER_URL.
import type { ContainerInfo, ContainerInspectInfo } from 'dockerode';
import { parseCeleryBeat, type BeatRecord } from '../../model/diagnose/beat.js';
import { redactUrls } from '../../util/redact.js';
import { shellJoin, splitShellWords } from '../../util/shell.js';
import { brokerEnv, containerArgv } from './record.js';

/** A running container whose listed command may run beat (an inspect tells for sure). */
export function isBeatCandidate(c: Pick<ContainerInfo, 'Command' | 'State'>): boolean {
  const cmd = typeof c.Command === 'string' ? c.Command : '';
  return c.State === 'running' && /celery/i.test(cmd) && /\bbeat\b/.test(cmd);
}

export function beatRecord(engine: string, info: ContainerInspectInfo, nowS: number): BeatRecord | null {
  if (!info?.Config || info.State?.Running !== true) return null;
  const argv = containerArgv(info);
  // The list shows `sh -c …` joined; the inspected argv is exact, and a shell string is split here.
  const found = parseCeleryBeat(argv) ?? parseCeleryBeat(splitShellWords(argv.join(' ')) ?? []);
  if (!found) return null;
  const env = brokerEnv(info.Config.Env);
  const fromEnv = env.CELERY_BROKER_URL ?? env.BROKER_URL ?? null;
  const started = Date.parse(info.State.StartedAt ?? '');
  return {
    source: 'docker', target: engine, host: typeof info.Config.Hostname === 'string' ? info.Config.Hostname : '',
    pid: typeof info.State.Pid === 'number' ? info.State.Pid : 0,
    container: { id: String(info.Id ?? ''), name: String(info.Name ?? '').replace(/^\//, '') },
    command: redactUrls(shellJoin(argv)),
    broker_url: found.broker ?? (fromEnv ? redactUrls(fromEnv) : null),
    broker_from: found.broker ? 'argv' : fromEnv ? 'env' : null,
    elapsed_s: Number.isFinite(started) ? Math.max(0, Math.round(nowS - started / 1000)) : null,
  };
}
