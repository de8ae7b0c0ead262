// Pure: merge what each source says into one Worker per name, then classify it.
import { classify, type Policy } from './classify.js';
import { parseWorkerName } from './name.js';
import type { BrokerWorker, Worker } from './types.js';

export function buildWorkers(broker: BrokerWorker[], policy: Policy): Worker[] {
  return broker
    .map((b) => {
      const parsed = parseWorkerName(b.name);
      return {
        name: b.name,
        basename: parsed.basename,
        host: parsed.host,
        version: parsed.version,
        ...classify(parsed, policy),
        responsive: b.responsive,
        in_roster: b.in_roster,
        queues: b.queues ?? [],
        pid: b.pid,
        children: b.children,
        concurrency: b.concurrency,
        uptime_s: b.uptime_s,
        sources: ['broker' as const],
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
