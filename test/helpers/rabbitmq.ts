// A private rabbitmq-server node per test file (started by rabbitmq-node.mjs), plus rabbitmqctl
// snapshots and a readiness check for Celery workers on it.
import { startRabbit as start } from './rabbitmq-node.mjs';

export interface RabbitNode {
  node: string;
  port: number;
  apiPort: number;
  /** amqp://guest:guest@127.0.0.1:<port>// */
  url: string;
  /** http://guest:guest@127.0.0.1:<apiPort> */
  api: string;
  /** rabbitmqctl against this node, e.g. ctl('list_queues', 'name'). */
  ctl(...args: string[]): Promise<string>;
  /** GET a management API path as guest; null on any HTTP error. */
  get(path: string): Promise<unknown>;
  /** Kill the node and its epmd, remove its dirs. */
  stop(): Promise<void>;
}

export const startRabbit: () => Promise<RabbitNode> = start;

/** Queues, exchanges and bindings of the default vhost, to prove a run changed nothing. */
export async function rabbitSnapshot(r: RabbitNode): Promise<{ queues: string[]; exchanges: string[]; bindings: string[] }> {
  const json = async (...args: string[]) => {
    const rows = JSON.parse(await r.ctl(...args, '-q', '--formatter', 'json')) as Record<string, unknown>[];
    return rows.map((row) => JSON.stringify(row)).sort();
  };
  const [queues, exchanges, bindings] = await Promise.all([
    json('list_queues', 'name', 'durable', 'auto_delete', 'exclusive', 'arguments', 'messages'),
    json('list_exchanges', 'name', 'type', 'durable', 'auto_delete'),
    json('list_bindings'),
  ]);
  return { queues, exchanges, bindings };
}

/** Ready once the worker's pidbox queue exists and the API counts its consumer. */
export function pidboxReady(r: RabbitNode): (name: string) => Promise<boolean> {
  return async (name) => {
    const q = (await r.get(`/api/queues/%2F/${encodeURIComponent(`${name}.celery.pidbox`)}`)) as { consumers?: number } | null;
    return (q?.consumers ?? 0) >= 1;
  };
}
