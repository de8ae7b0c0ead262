// The Redis (and Sentinel) broker behind the BrokerClient interface: kombu's keys, pidbox and celeryev.
import type { BrokerClient, ClientsResult, QueuesResult } from '../client.js';
import type { BrokerTarget } from '../url.js';
import { readClients } from './clients.js';
import { FleetdocError } from '../../../errors.js';
import { connectBroker, explain, type BrokerConnection } from './connect.js';
import { listenHeartbeats, subscribeEvents } from './events.js';
import { readBrokerInfo } from './info.js';
import { broadcast, publishControl, SEP } from './pidbox.js';
import { readBindings, readDepths, type Bindings } from './queues.js';
import { readUnacked } from './unacked.js';
import { gatherBrokerWorkers } from './workers.js';

export async function openRedis(target: BrokerTarget, timeoutMs: number): Promise<BrokerClient> {
  const conn = await connectBroker(target, timeoutMs);
  return redisClient(conn, target);
}

/** `given` is the target as the user gave it (a whole failover list); conn.target is the one in use. */
export function redisClient(conn: BrokerConnection, given: BrokerTarget = conn.target): BrokerClient {
  return guarded(conn, plainClient(conn, given));
}

// Every Redis failure mid-run becomes one line that says what to check, like a failed connect.
function guarded(conn: BrokerConnection, c: BrokerClient): BrokerClient {
  const wrap = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    try {
      return await f(...a);
    } catch (err) {
      if (err instanceof FleetdocError) throw err;
      throw explain(err as Error, conn.target, conn.cmd.options.connectTimeout ?? 1000);
    }
  };
  return {
    ...c,
    workers: wrap(c.workers), listen: wrap(c.listen), subscribe: c.subscribe && wrap(c.subscribe), queueNames: wrap(c.queueNames), readQueues: wrap(c.readQueues),
    info: wrap(c.info), shutdown: wrap(c.shutdown), answering: wrap(c.answering), removeGhost: wrap(c.removeGhost),
  };
}

function plainClient(conn: BrokerConnection, given: BrokerTarget): BrokerClient {
  // Bindings serve twice: the queue names, then attributing unacked entries to queues.
  let bindings: Promise<Bindings> | null = null;
  const readB = () => (bindings ??= readBindings(conn));
  return {
    target: given,
    kind: 'redis',
    display: conn.display,
    endpoint: conn.endpoint,
    workers: (q) => gatherBrokerWorkers(conn, q),
    listen: (o) => listenHeartbeats(conn, o),
    subscribe: () => subscribeEvents(conn),
    queueNames: async () => {
      // Each gather reads them afresh: watch and metrics --listen keep one client for hours.
      bindings = null;
      const b = await readB();
      // readBindings leaves kombu's own queues out already.
      return { names: [...b.queues], warnings: b.warnings };
    },
    readQueues: async (names, held): Promise<QueuesResult> => {
      const [depths, unacked] = await Promise.all([readDepths(conn, names), readB().then((b) => readUnacked(conn, b, held))]);
      return {
        queues: names.map((name) => {
          const a = unacked.byQueue.get(name);
          const d = depths.get(name);
          return {
            name, messages: d?.messages ?? 0, unacked: a?.count ?? 0, oldestUnackedAt: a?.oldestAt ?? null,
            orphaned: a?.orphaned ?? 0, oldestOrphanAt: a?.oldestOrphanAt ?? null, consumers: null, readProblems: d?.warnings ?? [],
          };
        }),
        warnings: unacked.warnings,
      };
    },
    info: () => readBrokerInfo(conn),
    clients: (): Promise<ClientsResult> => readClients(conn),
    shutdown: async (names) => void (await publishControl(conn, 'shutdown', names)),
    answering: async (name, timeoutMs) => {
      const r = await broadcast(conn, [{ method: 'ping' }], { destination: [name], timeoutMs });
      return r.replies.get('ping')!.has(name);
    },
    removeGhost: async (name) => {
      await conn.cmd.srem(conn.key('_kombu.binding.celery.pidbox'), `${SEP}${SEP}${name}.celery.pidbox`);
    },
    close: () => conn.close(),
  };
}
