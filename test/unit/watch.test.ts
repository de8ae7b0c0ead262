// watch: the snapshot, what changed between two, and the frame drawn from them.
import { describe, expect, it } from 'vitest';
import { diffSnapshots, type WatchSnapshot, type WatchWorker } from '../../src/model/watch.js';
import { drawFrame, watchFrame, watchJson } from '../../src/render/watch.js';

const w = (name: string, over: Partial<WatchWorker> = {}): WatchWorker => ({
  name, state: 'healthy', status: 'compatible', version: '1.0.0', responsive: true, severity: 'ok', queues: ['celery'], reasons: [],
  last_heartbeat_age_s: 1, tasks: null, failure_rate: null, ...over,
});
const snap = (workers: WatchWorker[], messages: Record<string, number> = {}, refresh = 1): WatchSnapshot => ({
  at: 1_795_000_000, refresh, broker: 'redis://127.0.0.1:6379/0', server_version: '1.0.0', listened_s: 2, status: 'ok', exit_code: 0, workers,
  queues: Object.entries(messages).map(([name, m]) => ({ name, messages: m, unacked: 0, oldest_unacked_age_s: null, consumers: { compatible: 1, incompatible: 0, unresponsive: 0 }, severity: 'ok', problems: [] })),
});
const opts = { view: 'workers' as const, intervalS: 2, width: 120, height: 40, notes: [] };

describe('diffSnapshots', () => {
  it('reports nothing on the first refresh', () => {
    expect(diffSnapshots(null, snap([w('a')], { q: 5 }))).toEqual({ appeared: [], gone: [], changed: [], rising: [], falling: [] });
  });

  it('marks workers that appeared, went or changed state or status, and queues rising or falling', () => {
    const prev = snap([w('a'), w('b'), w('c')], { q: 1, r: 5, s: 2 });
    const cur = snap([w('a'), w('b', { state: 'unresponsive' }), w('d')], { q: 4, r: 3, s: 2, t: 7 }, 2);
    expect(diffSnapshots(prev, cur)).toEqual({
      appeared: ['d'], gone: ['c'],
      changed: [{ name: 'b', from: 'healthy/compatible', to: 'unresponsive/compatible' }],
      rising: [{ name: 'q', from: 1, to: 4 }, { name: 't', from: 0, to: 7 }],
      falling: [{ name: 'r', from: 5, to: 3 }],
    });
  });
});

describe('watchFrame', () => {
  it('draws the marks beside the rows and a change line', () => {
    const prev = snap([w('a'), w('c')]);
    const cur = snap([w('a', { state: 'stale' }), w('d')], {}, 2);
    const lines = watchFrame(cur, diffSnapshots(prev, cur), opts);
    expect(lines[2]).toBe('changed: + d appeared, - c went, ~ a healthy/compatible -> stale/compatible');
    expect(lines.find((l) => l.startsWith('~  a'))).toContain('stale (was healthy)');
    expect(lines.find((l) => l.startsWith('+  d'))).toBeDefined();
    expect(lines.find((l) => l.startsWith('-  c'))).toContain('gone from the broker');
  });

  it('never draws wider or taller than the terminal, and strips escapes and bidi overrides from fleet names', () => {
    const many = Array.from({ length: 100 }, (_, i) => w(`worker-${i}-${'x'.repeat(200)}`));
    const lines = watchFrame(snap(many), diffSnapshots(null, snap(many)), { ...opts, width: 60, height: 20 });
    expect(lines.length).toBeLessThanOrEqual(19);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(59);
    const evil = watchFrame(snap([w('\x1b[2Jevil\u202e\x9b')]), diffSnapshots(null, snap([])), opts).join('\n');
    expect(evil).not.toMatch(/[\x1b\u202e\x9b]/);
    // Invisible ones too (zero-width, LRM, word joiner, BOM, Arabic letter mark): escaped, so two names stay two.
    const hidden = watchFrame(snap([w('main\u200b\u200e\u2060\ufeff\u061c@h')]), diffSnapshots(null, snap([])), opts).join('\n');
    expect(hidden).not.toMatch(/[\u200b\u200e\u2060\ufeff\u061c]/);
    expect(hidden).toContain('main\\u200B');
  });

  it('the stale view shows only the workers that are not healthy, with why', () => {
    const s = snap([w('a'), w('b', { state: 'unresponsive', reasons: ['no ping reply in 1.0 s'] })]);
    const lines = watchFrame(s, diffSnapshots(null, s), { ...opts, view: 'stale' });
    expect(lines.filter((l) => /^\s*a\s/.test(l))).toEqual([]);
    expect(lines.filter((l) => /^\s*b\s/.test(l))).toHaveLength(1);
    expect(lines.find((l) => l.includes(' b '))).toContain('no ping reply in 1.0 s');
  });

  it('redraws in place: cursor home, every line cleared to its end, the rest of the screen cleared', () => {
    expect(drawFrame(['one', 'two'])).toBe('\x1b[Hone\x1b[K\ntwo\x1b[K\n\x1b[J');
  });

  it('the JSON document carries the snapshot, the view and the changes', () => {
    const s = snap([w('a')]);
    expect(watchJson(s, diffSnapshots(null, s), 'queues')).toMatchObject({ refresh: 1, view: 'queues', workers: [{ name: 'a' }], changes: { appeared: [] } });
  });
});
