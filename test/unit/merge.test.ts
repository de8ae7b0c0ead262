import { describe, expect, it } from 'vitest';
import { mergeWorkers } from '../../src/model/worker/merge.js';
import { fleetOf } from '../helpers/model.js';
import type { BrokerWorker, ProcessRecord } from '../../src/model/types.js';

const policy = { serverVersion: '0.13.0', compatible: null };
const bw = (name: string, over: Partial<BrokerWorker> = {}): BrokerWorker => ({
  name, responsive: true, pid: 100, concurrency: 2, uptime_s: 5, queues: ['celery'], children: [101, 102], broker: null, in_roster: true, ...over,
});
const proc = (name: string, over: Partial<ProcessRecord> = {}): ProcessRecord => ({
  target: 'h:22', host: 'h', pid: 100, ppid: 1, state: 'S', elapsed_s: 60, rss_kb: 1, children: [101, 102],
  command: 'celery worker', argv: ['celery', 'worker'], worker_name: name, queues: ['gpu'], concurrency: 2, ...over,
});

describe('mergeWorkers', () => {
  it('sorts by code unit, the same in every locale: capitals first, then punctuation before letters', () => {
    const ws = mergeWorkers([bw('b@h'), bw('a@h'), bw('B@h'), bw('a-x@h'), bw('\u00e9@h')], policy);
    expect(ws.map((w) => w.name)).toEqual(['B@h', 'a-x@h', 'a@h', 'b@h', '\u00e9@h']);
  });

  it('merges a process into the broker worker of the same name', () => {
    const [w] = mergeWorkers({ broker: [bw('main-v0.13.0@h')], processes: [proc('main-v0.13.0@h')] }, policy);
    expect(w).toMatchObject({ sources: ['broker', 'ssh'], pid: 100, queues: ['celery'], unresponsive_reason: null });
    expect(w.process?.pid).toBe(100);
  });

  it('on a pid conflict the broker decides; the other process is listed as a duplicate', () => {
    const ws = mergeWorkers({ broker: [bw('main-v0.13.0@h')], processes: [proc('main-v0.13.0@h', { pid: 7 }), proc('main-v0.13.0@h')] }, policy);
    expect(ws).toHaveLength(2);
    expect(ws[0]).toMatchObject({ pid: 100, duplicate_of: null, process: { pid: 100 } });
    expect(ws[1]).toMatchObject({ pid: 7, duplicate_of: 'process 100 on h', responsive: false, sources: ['ssh'] });
  });

  it('a process the broker does not know: not responsive, with the reason from its verdict', () => {
    const ws = fleetOf({ processes: [proc('a-v0.13.0@h'), proc('b-v0.13.0@h', { pid: 9, state: 'T' })] });
    expect(ws[0]).toMatchObject({ responsive: false, in_roster: false, queues: ['gpu'], pid: 100 });
    expect(ws[0].unresponsive_reason).toBe('process 100 on h is alive (S)');
    expect(ws[0].verdict.reasons.at(-1)).toMatch(/not on this broker, cause unknown/);
    expect(ws[1].unresponsive_reason).toBe('process 9 on h is stopped (T)');
  });

  it('a silent roster member takes its queues from its command line', () => {
    const [w] = mergeWorkers({ broker: [bw('r-v0.13.0@h', { responsive: false, queues: null, pid: null, children: [] })], processes: [proc('r-v0.13.0@h', { state: 'T' })] }, policy);
    expect(w).toMatchObject({ responsive: false, queues: ['gpu'], pid: 100, children: [101, 102] });
  });
});
