// Remote-control replies and celery events into records: shared by the Redis and AMQP clients.
import { describe, expect, it } from 'vitest';
import { acceptReply, allAnswered, heldTasks, toWorker, workersFrom } from '../../src/sources/broker/replies.js';
import type { DecodeResult } from '../../src/sources/broker/envelope.js';
import { eventTally } from '../../src/sources/broker/tally.js';

const reply = (ticket: string, body: unknown): DecodeResult => ({ ok: true, msg: { headers: { ticket }, properties: {}, body } });

describe('replies', () => {
  it('accepts a reply by its ticket, ignores other tickets, and warns about what it cannot read', () => {
    const replies = new Map([['stats', new Map<string, unknown>()]]);
    const warnings: string[] = [];
    const tickets = new Map([['t1', 'stats']]);
    const accept = (d: DecodeResult) => acceptReply(d, tickets, replies, (m) => warnings.push(m));
    accept(reply('t1', { 'a@h': { pid: 1 } }));
    accept(reply('someone-else', { 'b@h': { pid: 2 } }));
    accept(reply('t1', ['not', 'an', 'object']));
    accept({ ok: false, why: 'not JSON' });
    expect([...replies.get('stats')!.keys()]).toEqual(['a@h']);
    expect(warnings).toEqual(['skipped a stats reply whose body is not an object', 'skipped a reply that could not be read: not JSON']);
  });

  it('tally.accept adds what was decoded and counts what was not', () => {
    const tally = eventTally();
    tally.accept(reply('', { type: 'worker-heartbeat', hostname: 'a@h', timestamp: 1 }));
    tally.accept({ ok: false, why: 'not JSON' });
    const r = tally.result([]);
    expect([...r.workers.keys()]).toEqual(['a@h']);
    expect(r.warnings.join('\n')).toMatch(/not JSON/);
  });

  it('reads stats and active_queues, surviving garbage', () => {
    const stats = { pid: 42, uptime: '17', pool: { 'max-concurrency': 2, processes: [43, '44', 'x'] }, broker: { hostname: 'mq', port: 5672, virtual_host: '/' } };
    expect(toWorker('w@h', true, true, stats, [{ name: 'celery' }, { name: 3 }, 'gpu'])).toEqual({
      name: 'w@h', responsive: true, in_roster: true, pid: 42, concurrency: 2, uptime_s: 17, children: [43, 44],
      queues: ['celery'], broker: { hostname: 'mq', port: 5672, virtual_host: '/' },
    });
    expect(toWorker('w@h', false, true, 'garbage', { name: 'x' })).toMatchObject({ pid: null, children: [], queues: null, broker: null });
  });

  it('joins the roster and every reply, sorted', () => {
    const replies = new Map([['ping', new Map([['b@h', { ok: 'pong' }]])], ['stats', new Map<string, unknown>()], ['active_queues', new Map([['c@h', []]])]]);
    expect(workersFrom(['a@h', 'b@h'], replies).map((w) => [w.name, w.in_roster, w.responsive])).toEqual([
      ['a@h', true, false], ['b@h', true, true], ['c@h', false, true],
    ]);
  });

  it('collects held task ids, scheduled ones wrapped in request', () => {
    const held = heldTasks([new Map([['w@h', [{ id: 't1' }, { id: 2 }]]]), new Map([['w@h', [{ request: { id: 't2' } }]], ['v@h', 'nope']])]);
    expect(Object.fromEntries(held)).toEqual({ 'w@h': ['t1', 't2'] });
  });

  it('is complete only when every expected name answered every method', () => {
    const r = new Map([['ping', new Map([['a', 1], ['b', 1]])], ['stats', new Map([['a', 1]])]]);
    expect(allAnswered(r, ['a'])).toBe(true);
    expect(allAnswered(r, ['a', 'b'])).toBe(false);
    expect(allAnswered(r, [], 2)).toBe(false);
    expect(allAnswered(r, [], 1)).toBe(true);
  });
});

describe('event tally', () => {
  it('counts heartbeats and task outcomes, batched task.multi arrays included', () => {
    const t = eventTally();
    t.add({ type: 'worker-heartbeat', hostname: 'w@h', timestamp: 100, freq: 2, active: 1, processed: 5, loadavg: [0.1, 0.2, 0.3], sw_ver: '5.2.6' }, 101);
    t.add([{ type: 'task-succeeded', hostname: 'w@h' }, { type: 'task-failed', hostname: 'w@h' }, { type: 'task-received', hostname: 'w@h' }, { type: 'task-succeeded', hostname: 'w@h' }]);
    t.add({ type: 'worker-offline', hostname: 'w@h', timestamp: 90 }, 102);
    const r = t.result([]);
    expect(r.workers.get('w@h')).toEqual({
      hostname: 'w@h', last_heartbeat_at: 100, received_at: 101, freq: 2, active: 1, processed: 5,
      loadavg: [0.1, 0.2, 0.3], sw_ver: '5.2.6', offline: false, count: 2,
    });
    expect(r.tasks.get('w@h')).toEqual({ succeeded: 2, failed: 1, retried: 0, rejected: 0 });
    expect(r.warnings).toEqual([]);
  });

  it('survives garbage with one warning, and keeps the reasons bounded', () => {
    const t = eventTally();
    t.add([1, null, { type: 'worker-heartbeat' }, { type: 'worker-heartbeat', hostname: '' }]);
    for (let i = 0; i < 100; i++) t.skip(`reason ${i}`);
    const r = t.result(['later']);
    expect(r.workers.size).toBe(0);
    expect(r.warnings).toHaveLength(2);
    expect(r.warnings[0]).toMatch(/^skipped 22 unreadable event messages: event is not a JSON object \(2\), worker event without a hostname \(2\), reason 0 \(1\)/);
    expect(r.warnings[1]).toBe('later');
  });
});
