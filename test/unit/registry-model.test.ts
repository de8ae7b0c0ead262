import { describe, expect, it } from 'vitest';
import { gradeEntry, parseTimestamp, summarizeRegistry, type RawRegistryEntry, type RegistryEntry } from '../../src/model/registry.js';

const NOW = Date.parse('2025-03-01T12:00:00Z') / 1000;
const iso = (agoS: number) => new Date((NOW - agoS) * 1000).toISOString();
const opts = { source: 'http://coord/api/admin/workers', nowS: NOW, healthyS: 300, staleS: 600 };
const raw = (last_heartbeat: unknown, over: Partial<RawRegistryEntry> = {}): RawRegistryEntry =>
  ({ worker_id: 'gpu-loader-2', status: 'running', last_heartbeat, error: null, ...over });

describe('gradeEntry', () => {
  it.each<[string, unknown, string, number | null, RegExp | null]>([
    ['fresh', iso(10), 'healthy', 10, null],
    ['just below healthy', iso(299), 'healthy', 299, null],
    ['at the healthy timeout', iso(300), 'degraded', 300, /300 s ago \(healthy below 300 s\)/],
    ['the issue example', iso(420), 'degraded', 420, /420 s ago/],
    ['at the stale timeout', iso(600), 'degraded', 600, /600 s ago/],
    ['beyond', iso(601), 'stale', 601, /past the 600 s stale timeout/],
    ['a little ahead (skew)', iso(-30), 'healthy', 0, null],
    ['far ahead', iso(-120), 'unknown', null, /^last_heartbeat is in the future \(clock skew\?\)$/],
    ['missing', null, 'unknown', null, /^no last_heartbeat$/],
    ['empty', '', 'unknown', null, /^no last_heartbeat$/],
    ['garbage', 'yesterday-ish', 'unknown', null, /^unparseable last_heartbeat$/],
    ['bad month', '2025-13-01T00:00:00Z', 'unknown', null, /^unparseable last_heartbeat$/],
    ['an object', { when: 1 }, 'unknown', null, /^unparseable last_heartbeat$/],
    ['unix seconds', NOW - 42, 'healthy', 42, null],
    ['unix milliseconds', (NOW - 700) * 1000, 'stale', 700, /stale/],
    ['naive ISO (taken as UTC)', '2025-03-01T11:55:00', 'degraded', 300, /healthy below 300 s/],
    ['python microseconds and offset', '2025-03-01T13:59:30.123456+02:00', 'healthy', 30, null],
    ['space and compact offset', '2025-03-01 11:59:00+0000', 'healthy', 60, null],
    ['kombu datetime', { __type__: 'datetime', __value__: '2025-03-01T11:50:00+00:00' }, 'degraded', 600, /600 s ago/],
  ])('%s', (_label, last, state, age, problem) => {
    const e = gradeEntry(raw(last), opts);
    expect(e.state).toBe(state);
    expect(e.age_s).toBe(age);
    if (problem) expect(e.problem).toMatch(problem);
    else expect(e.problem).toBeNull();
    expect(e).toMatchObject({ source: opts.source, worker_id: 'gpu-loader-2', status: 'running', error: null });
  });

  it('keeps the original last_heartbeat text, and shows numbers as ISO', () => {
    expect(gradeEntry(raw('2025-03-01T11:59:00Z'), opts).last_heartbeat).toBe('2025-03-01T11:59:00Z');
    expect(gradeEntry(raw(NOW - 60), opts).last_heartbeat).toBe('2025-03-01T11:59:00.000Z');
  });

  it('honours other timeouts', () => {
    expect(gradeEntry(raw(iso(100)), { ...opts, healthyS: 60, staleS: 90 }).state).toBe('stale');
  });
});

describe('parseTimestamp', () => {
  it.each<[unknown, number | null]>([
    ['2025-03-01', Date.parse('2025-03-01T00:00:00Z') / 1000],
    ['2025-03-01T12:00Z', NOW],
    ['2025-03-01T12:00:00z', NOW],
    ['2025-03-01T14:00:00+02', NOW],
    ['1 March 2025', null],
    [Number.NaN, null],
    [-5, null],
    [true, null],
  ])('%j', (v, want) => expect(parseTimestamp(v)).toBe(want));
});

const entry = (status: string | null, error: string | null = null, state: RegistryEntry['state'] = 'healthy'): RegistryEntry =>
  ({ source: 's', worker_id: `w${Math.random()}`, status, last_heartbeat: null, age_s: null, state, problem: null, error });

describe('summarizeRegistry', () => {
  it('counts statuses and errors, biggest first, as sentences', () => {
    const entries = [
      ...Array.from({ length: 8 }, () => entry('failed', 'stale heartbeat with active tasks', 'stale')),
      entry('failed', 'failed to spawn', 'unknown'),
      entry('running'),
    ];
    const sum = summarizeRegistry(entries);
    expect(sum).toMatchObject({
      total: 10,
      by_state: { healthy: 1, degraded: 0, stale: 8, unknown: 1 },
      by_status: { failed: 9, running: 1 },
      by_error: { 'stale heartbeat with active tasks': 8, 'failed to spawn': 1 },
      statuses: '10 workers: 9 failed, 1 running',
      errors: '8 workers: stale heartbeat with active tasks; 1: failed to spawn',
      failed: 9,
      failure_rate: 0.9,
      failing: true,
    });
  });

  it.each<[string, RegistryEntry[], number, number | null, boolean]>([
    ['empty', [], 0, null, false],
    ['one failed of one is not a pattern', [entry('failed')], 1, 1, false],
    ['half failed', [entry('ERROR'), entry('idle')], 1, 0.5, true],
    ['an error counts as a failure', [entry('running', 'OOM'), entry('idle'), entry('idle')], 1, 1 / 3, false],
    ['dead and crashed look failed', [entry('dead'), entry('crashed'), entry('busy')], 2, 2 / 3, true],
    ['healthy fleet', [entry('running'), entry('idle'), entry(null)], 0, 0, false],
  ])('%s', (_label, entries, failed, rate, failing) => {
    expect(summarizeRegistry(entries)).toMatchObject({ failed, failure_rate: rate, failing });
  });

  it('names missing statuses, and has no error line without errors', () => {
    const sum = summarizeRegistry([entry(null), entry('running')]);
    expect(sum.statuses).toBe('2 workers: 1 (no status), 1 running');
    expect(sum.errors).toBeNull();
    expect(summarizeRegistry([]).statuses).toBe('0 workers: none');
  });

  it('caps the error line at five reasons', () => {
    const entries = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((e) => entry('failed', e));
    expect(summarizeRegistry(entries).errors).toBe('1 worker: a; 1: b; 1: c; 1: d; 1: e; 2: 2 other reasons');
  });
});
