// Who is out there on RabbitMQ: the roster (pidbox queues, from the management API) and one
// broadcast of ping, stats and active_queues, side by side.
import type { BrokerWorkersResult, WorkersQuery } from '../client.js';
import { heldTasks, TASK_METHODS, workersFrom } from '../replies.js';
import type { AmqpConnection } from './connect.js';
import type { ManagementApi } from './mgmt.js';
import { parseQueues, rosterFrom } from './parse.js';
import { broadcast } from './pidbox.js';

export interface Roster {
  /** name → consumers of its pidbox queue (null when the API did not say). */
  consumers: Map<string, number | null>;
  /** false when the management API could not be read: then the roster is unknown, not empty. */
  known: boolean;
  warnings: string[];
}

export async function readRoster(api: ManagementApi): Promise<Roster> {
  const res = await api.get(`/api/queues/${api.vhostPath}?columns=name,consumers`);
  if (!res.ok) return { consumers: new Map(), known: false, warnings: [`roster unknown: ${res.why}`] };
  const parsed = parseQueues(res.data);
  return { consumers: rosterFrom(parsed.queues), known: true, warnings: parsed.warnings };
}

export async function gatherAmqpWorkers(conn: AmqpConnection, api: ManagementApi, q: WorkersQuery): Promise<BrokerWorkersResult> {
  const methods = ['ping', 'stats', 'active_queues', ...(q.tasks ? TASK_METHODS : [])];
  const roster = readRoster(api);
  // A ghost (a pidbox queue nobody consumes) can never answer: do not wait for it, addressed or not.
  const expect = roster.then((r) => {
    if (!r.known) return null;
    const names = q.destination?.length ? q.destination : [...r.consumers.keys()];
    return names.filter((name) => r.consumers.get(name) !== 0);
  });
  const [res, r] = await Promise.all([
    broadcast(conn, methods, { timeoutMs: q.timeoutMs, destination: q.destination, expect, signal: q.signal }),
    roster,
  ]);
  const names = [...r.consumers.keys()];
  const workers = workersFrom(names, res.replies);
  const wanted = q.destination?.length ? new Set(q.destination) : null;
  const reached = r.known && [...r.consumers.values()].every((n) => n !== null)
    ? [...r.consumers.values()].reduce<number>((a, n) => a + (n ?? 0), 0)
    : null;
  return {
    workers: wanted ? workers.filter((w) => wanted.has(w.name)) : workers,
    roster: names,
    heldTasks: heldTasks(q.tasks ? TASK_METHODS.map((m) => res.replies.get(m)!) : []),
    reached,
    rosterConsumers: new Map([...r.consumers].filter((e): e is [string, number] => e[1] !== null)),
    warnings: [...r.warnings, ...res.warnings],
  };
}
