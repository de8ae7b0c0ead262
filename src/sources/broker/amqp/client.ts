// RabbitMQ behind the BrokerClient interface. Not built yet: refuse clearly rather than guess.
import { UsageError } from '../../../errors.js';
import type { BrokerClient } from '../client.js';
import type { BrokerTarget } from '../url.js';

export async function openAmqp(target: BrokerTarget, _timeoutMs: number): Promise<BrokerClient> {
  throw new UsageError(`broker ${target.display}: RabbitMQ brokers are not supported yet`);
}
