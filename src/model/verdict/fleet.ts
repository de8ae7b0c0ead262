// Pure: the fleet as every command sees it: merged workers, each with its one verdict.
import type { Policy } from '../worker/classify.js';
import type { FleetEvidence } from './evidence.js';
import { mergeWorkers } from '../worker/merge.js';
import type { Worker } from '../types.js';
import { brokerMatchOf, judge, silentListeners, type JudgeOptions } from './verdict.js';

export interface Fleet {
  serverVersion: string | null;
  policy: Policy;
  workers: Worker[];
  roster: string[];
  /** worker name → task ids it holds (active, reserved, scheduled), when asked for. */
  heldTasks: Map<string, string[]>;
}

export function buildFleet(ev: FleetEvidence, policy: Policy, o: JudgeOptions): Fleet {
  const merged = mergeWorkers({ broker: ev.replies?.workers ?? [], containers: ev.containers, processes: ev.processes }, policy);
  const matches = merged.map((w) => brokerMatchOf(w, ev));
  const listeners = silentListeners(ev, merged, matches);
  const workers = merged.map((w, i): Worker => {
    const verdict = judge(w, ev, o, listeners, matches[i]);
    const why = w.responsive ? null : (verdict.reasons[1] ?? verdict.reasons[0] ?? null);
    return { ...w, unresponsive_reason: why, verdict };
  });
  return { serverVersion: policy.serverVersion, policy, workers, roster: ev.replies?.roster ?? [], heldTasks: ev.replies?.heldTasks ?? new Map() };
}
