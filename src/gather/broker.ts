// The one path that opens the broker. Strict for commands that need it (a failure is exit 3),
// tolerant for diagnose, which reports the failure and lets the other sources speak.
import { BrokerError, FleetdocError } from '../errors.js';
import type { BrokerClient } from '../sources/broker/client.js';
import type { GatherContext, GatherSettings } from './types.js';

/** Open the broker, run `use`, and always close it; failures become one-line BrokerErrors. */
export async function withBroker<T>(ctx: GatherContext, settings: GatherSettings, use: (broker: BrokerClient) => Promise<T>): Promise<T> {
  return using(await ctx.sources.openBroker(settings.broker, settings.timeoutMs), use);
}

async function using<T>(broker: BrokerClient, use: (broker: BrokerClient) => Promise<T>): Promise<T> {
  try {
    return await use(broker);
  } catch (err) {
    if (err instanceof FleetdocError) throw err;
    throw new BrokerError(`broker ${broker.display}: ${firstLine(err)}`);
  } finally {
    await broker.close();
  }
}

export type Opened = { ok: true; broker: BrokerClient } | { ok: false; error: string };

/** Like withBroker, but a broker that cannot be opened is handed to `use` as the reason. */
export async function withBrokerTolerant<T>(ctx: GatherContext, settings: GatherSettings, use: (b: Opened) => Promise<T>): Promise<T> {
  let broker: BrokerClient;
  try {
    broker = await ctx.sources.openBroker(settings.broker, settings.timeoutMs);
  } catch (err) {
    // Only the broker's own failures are tolerated; a usage error or Ctrl-C still ends the run.
    if (err instanceof FleetdocError && !(err instanceof BrokerError)) throw err;
    return use({ ok: false, error: firstLine(err).replace(/^broker [^:]+(?::\/\/[^ ]*)?: /, '') });
  }
  return using(broker, () => use({ ok: true, broker }));
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}
