// One stats sample of a container: its memory in use, counted as `docker
// stats` does (usage less the inactive page cache, which the kernel can drop).
import { containerPath, type EngineApi } from './api.js';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

/** Bytes in use from a stats answer; null when it has none (a stopped container answers zeros). */
export function memoryUsage(stats: unknown): number | null {
  const mem = (stats as { memory_stats?: { usage?: unknown; stats?: Record<string, unknown> } } | null)?.memory_stats;
  const usage = num(mem?.usage);
  if (usage === null || usage === 0) return null;
  // cgroup v1 reports total_inactive_file, v2 inactive_file.
  const cache = num(mem?.stats?.total_inactive_file) ?? num(mem?.stats?.inactive_file) ?? 0;
  return cache < usage ? usage - cache : usage;
}

/** One sample (`stream: false`, and `one-shot` so the engine does not wait for a second one). */
export async function fetchMemoryUsage(api: EngineApi, id: string, signal: AbortSignal): Promise<number | null> {
  const stats: unknown = await api.json('GET', containerPath(id, '/stats'), { stream: false, 'one-shot': true }, { signal });
  return memoryUsage(stats);
}
