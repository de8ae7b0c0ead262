// openEventStream: a broker kind without subscribe() is read with repeated listen windows, merged.
import { describe, expect, it } from 'vitest';
import { openEventStream } from '../../src/gather/events.js';
import type { BrokerClient, EventsResult, Heartbeat } from '../../src/sources/broker/client.js';

const hb = (hostname: string, at: number): Heartbeat => ({
  hostname, last_heartbeat_at: at, received_at: at, freq: 2, active: 0, processed: 0, loadavg: null, sw_ver: null, offline: false, count: 1,
});

function fakeBroker(windows: EventsResult[], subscribe?: BrokerClient['subscribe']): BrokerClient & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    listen: async (o: { seconds: number }) => {
      asked.push(o.seconds);
      return windows.shift() ?? { workers: new Map(), tasks: new Map(), warnings: [] };
    },
    subscribe,
  } as unknown as BrokerClient & { asked: number[] };
}

describe('openEventStream', () => {
  it('without subscribe: one listen window per read, heartbeats kept newest-first, task counts added up', async () => {
    const b = fakeBroker([
      { workers: new Map([['a', hb('a', 100)]]), tasks: new Map([['a', { succeeded: 1, failed: 2, retried: 0, rejected: 0 }]]), warnings: [] },
      { workers: new Map([['b', hb('b', 105)]]), tasks: new Map([['a', { succeeded: 1, failed: 1, retried: 1, rejected: 0 }]]), warnings: ['w'] },
    ]);
    const s = await openEventStream(b, () => 0);
    const first = await s.read(2);
    expect(first.listenedS).toBe(2);
    const second = await s.read(2);
    expect(b.asked).toEqual([2, 2]);
    expect(second.listenedS).toBe(4);
    expect([...second.events.workers.keys()].sort()).toEqual(['a', 'b']);
    expect(second.events.tasks.get('a')).toEqual({ succeeded: 2, failed: 3, retried: 1, rejected: 0 });
    expect(second.events.warnings).toEqual(['w']);
  });

  it('with subscribe: reads the snapshot without listening, listened time from the subscription start', async () => {
    const snap: EventsResult = { workers: new Map([['a', hb('a', 1)]]), tasks: new Map(), warnings: [] };
    let closed = false;
    const b = fakeBroker([], async () => ({ since: 1000, snapshot: () => snap, close: async () => { closed = true; } }));
    const s = await openEventStream(b, () => 1_003_500);
    const r = await s.read(2);
    expect(b.asked).toEqual([]);
    expect(r).toEqual({ events: snap, listenedS: 3.5 });
    await s.close();
    expect(closed).toBe(true);
  });
});
