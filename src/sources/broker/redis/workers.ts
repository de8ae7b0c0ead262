// Ask the broker who is out there: roster + ping, stats and active_queues in one round.
import type { BrokerWorkersResult, WorkersQuery } from '../client.js';
import type { BrokerConnection } from './connect.js';
import { heldTasks, TASK_METHODS, workersFrom } from '../replies.js';
import { broadcast } from './pidbox.js';
import { readRoster } from './roster.js';

export async function gatherBrokerWorkers(
  conn: BrokerConnection,
  opts: WorkersQuery,
): Promise<BrokerWorkersResult> {
  // The roster is read while the broadcast goes out: one round trip, not two. broadcast() awaits
  // it (and cleans up after itself if it fails) before this function reads it.
  const reading = readRoster(conn);
  const methods = ['ping', 'stats', 'active_queues', ...(opts.tasks ? TASK_METHODS : [])];
  const res = await broadcast(conn, methods.map((method) => ({ method })), {
    timeoutMs: opts.timeoutMs,
    destination: opts.destination,
    expect: reading.then((r) => r.names),
    signal: opts.signal,
  });
  const roster = await reading;
  const workers = workersFrom(roster.names, res.replies);
  const wanted = opts.destination?.length ? new Set(opts.destination) : null;
  return {
    workers: wanted ? workers.filter((w) => wanted.has(w.name)) : workers,
    roster: roster.names,
    heldTasks: heldTasks(opts.tasks ? TASK_METHODS.map((m) => res.replies.get(m)!) : []),
    reached: res.reached,
    warnings: [...roster.warnings, ...res.warnings],
  };
}
