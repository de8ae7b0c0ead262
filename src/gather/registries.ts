// Heartbeat registries over HTTP, all at once; each failure is one warning, never the end of the run.
import type { RegistryResult } from '../sources/registry.js';
import type { GatherContext } from './types.js';

export interface RegistryWant {
  urls: string[];
  timeoutMs: number;
  healthyS: number;
  staleS: number;
}

export async function readRegistries(ctx: GatherContext, w: RegistryWant): Promise<RegistryResult[]> {
  if (!w.urls.length) return [];
  const o = { timeoutMs: w.timeoutMs, nowS: ctx.now() / 1000, healthyS: w.healthyS, staleS: w.staleS, signal: ctx.signal };
  const out = await Promise.all(w.urls.map((u) => ctx.sources.registry(u, o)));
  for (const r of out) if (!r.ok) ctx.warn(`registry ${r.source}: ${r.error}`);
  return out;
}
