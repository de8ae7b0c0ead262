// The real effects behind `kill --yes`: broker control, ssh kill by pid, Docker stop/rm.
// Remote commands are built from integers and fixed words only; no fleet text reaches a shell.
import type { EffectOptions } from '../gather/types.js';
import type { Effects } from '../model/remedy/effects.js';
import type { BrokerClient } from '../sources/broker/client.js';
import { containerPath, EngineHttpError } from '../sources/docker/api.js';
import { aliveResult, signalResult } from './kill-result.js';
import type { EngineClient } from '../sources/docker/engine.js';

export function realEffects(broker: BrokerClient, o: EffectOptions): Effects & { close(): void } {
  const engines = new Map<string, Promise<EngineClient>>();
  const engine = async (text: string) => {
    if (!engines.has(text)) {
      engines.set(text, (async () => {
        const { parseEndpoint, openEngine } = await import('../sources/docker/engine.js');
        const ep = parseEndpoint(text);
        if ('error' in ep) throw new Error(ep.error);
        return openEngine(ep, { timeoutMs: Math.max(o.timeoutMs, 5000), env: o.env });
      })());
    }
    return engines.get(text)!;
  };
  return {
    shutdown: (name) => broker.shutdown([name]),
    answering: (name) => broker.answering(name, Math.min(o.timeoutMs, 1000)),
    signal: async (target, signal, pids) => {
      const res = await ssh(target, ['kill', `-${signal}`, ...pids.map(String)], o);
      if (res.exitCode === null) return `ssh ${target}: ${res.error}`;
      const why = signalResult(res.exitCode, res.stderr);
      return why === null ? null : `ssh ${target}: ${why}`;
    },
    run: async (target, argv) => {
      // Only plain words cross to a remote shell: a supervisor name that needs quoting is refused.
      const bad = argv.find((w) => !/^[A-Za-z0-9_.:@%+=,/-]+$/.test(w));
      if (bad !== undefined) return `ssh ${target}: not run: ${JSON.stringify(bad)} is not a plain word`;
      const res = await ssh(target, argv, o);
      return res.exitCode === 0 ? null : `ssh ${target}: ${argv.join(' ')}: ${res.error || `exited ${res.exitCode ?? 'unreachable'}`}`;
    },
    alive: async (target, pid) => {
      const res = await ssh(target, ['kill', '-0', String(pid)], o);
      return aliveResult(res.exitCode, res.stderr);
    },
    // The engine answers a stop only after the grace period: wait that long for it.
    // 304 (or an older engine's 409) is "already stopped"; the status decides, never an error's words.
    dockerStop: async (e, id, seconds) => dockerCall(() => engine(e).then((c) => c.api.json('POST', containerPath(id, '/stop'), { t: seconds }, { timeoutMs: (seconds + 10) * 1000 })),
      (err) => status(err) === 304 || (status(err) === 409 && /is not running/i.test(err.message))),
    dockerRm: async (e, id) => dockerCall(() => engine(e).then((c) => c.api.json('DELETE', containerPath(id), { force: false })), () => false),
    containerRunning: async (e, id) => {
      try {
        const info = await (await engine(e)).api.json<{ State?: { Running?: boolean; Status?: string } }>('GET', containerPath(id, '/json'));
        return Boolean(info.State?.Running) || info.State?.Status === 'restarting';
      } catch (err) {
        return status(err) === 404 ? false : null;
      }
    },
    removeBinding: (name) => broker.removeGhost(name),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => Date.now(),
    close: () => {
      for (const p of engines.values()) p.then((c) => c.close(), () => undefined);
    },
  };
}

const status = (err: unknown) => (err instanceof EngineHttpError ? err.statusCode : null);

async function dockerCall(run: () => Promise<unknown>, fine: (err: Error) => boolean): Promise<string | null> {
  try {
    await run();
    return null;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return fine(e) ? null : `docker: ${e.message.split('\n')[0]}`;
  }
}

async function ssh(target: string, words: string[], o: EffectOptions): Promise<{ exitCode: number | null; error: string; stderr: string }> {
  const [{ execa }, { sshArgs, sshEnv, explainSsh }] = await Promise.all([import('execa'), import('../sources/ssh/hosts.js')]);
  const deadline = Math.max(o.timeoutMs, 5000);
  const args = sshArgs(target, o.sshConfig, deadline, { fastKex: o.fastKex, command: words });
  const res = await execa('ssh', args, { stdin: 'ignore', reject: false, timeout: deadline, env: sshEnv(o.env), extendEnv: false });
  const stderr = String(res.stderr ?? '');
  if (res.exitCode === 255 || res.exitCode === undefined) return { exitCode: null, error: explainSsh(stderr, res.exitCode), stderr };
  return { exitCode: res.exitCode, error: stderr.trim().split('\n').pop() ?? '', stderr };
}
