// Open the broker a target names: Redis (direct, failover list or Sentinel) or RabbitMQ.
import type { BrokerClient } from './client.js';
import type { BrokerTarget } from './url.js';

export async function openBroker(target: BrokerTarget, timeoutMs: number): Promise<BrokerClient> {
  if (target.transport === 'amqp') {
    const { openAmqp } = await import('./amqp/client.js');
    return openAmqp(target, timeoutMs);
  }
  const { openRedis } = await import('./redis/client.js');
  return openRedis(target, timeoutMs);
}
