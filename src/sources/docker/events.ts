// How problem containers died lately, from the engine's event log. A looping
// container that is running again has lost its exit code (reset to 0) and
// often its OOMKilled flag (the oom event can race the exit): the events keep both.
import { collect, type EngineApi } from './api.js';

export interface ExitHistory {
  /** `die` events in the window, and the exit code of the newest one. */
  dies: number;
  last_exit: number | null;
  /** `oom` events in the window: the kernel killed a process in it for memory. */
  ooms: number;
}

/** Seconds of history asked for; the engine keeps only its last few hundred events anyway. */
export const HISTORY_S = 3600;
const MAX_BYTES = 2 * 1024 * 1024;

/** Events as the engine sends them (one JSON object a line), per container id. Garbage lines are skipped. */
export function exitHistory(body: string, ids: string[]): Record<string, ExitHistory> {
  const out: Record<string, ExitHistory> = {};
  const wanted = new Set(ids);
  for (const line of body.split('\n')) {
    let e: { Type?: unknown; Action?: unknown; Actor?: { ID?: unknown; Attributes?: Record<string, unknown> } };
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    const id = e?.Actor?.ID;
    if (e?.Type !== 'container' || typeof id !== 'string' || !wanted.has(id)) continue;
    const h = (out[id] ??= { dies: 0, last_exit: null, ooms: 0 });
    if (e.Action === 'oom') h.ooms++;
    if (e.Action === 'die') {
      h.dies++;
      const code = Number(e.Actor?.Attributes?.exitCode);
      h.last_exit = Number.isInteger(code) && code >= 0 && code <= 255 ? code : null;
    }
  }
  return out;
}

/** One bounded read: `until` now, so the engine sends what it has and closes. */
export async function fetchExitHistory(api: EngineApi, ids: string[], now: number, signal: AbortSignal): Promise<Record<string, ExitHistory>> {
  if (ids.length === 0) return {};
  const t = Math.floor(now / 1000);
  const filters = JSON.stringify({ type: ['container'], event: ['die', 'oom'], container: ids });
  const stream = await api.stream('/events', { since: t - HISTORY_S, until: t, filters }, { signal });
  return exitHistory((await collect(stream, signal, MAX_BYTES)).toString('utf8'), ids);
}
