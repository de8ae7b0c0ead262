// The metrics renderer on a fixed model: golden text, escaping, one series per label set.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnose, type DiagnoseInput } from '../../src/model/diagnose/diagnose.js';
import { queueRow } from '../../src/model/queues.js';
import { escapeLabel, metricFamilies, metricsText, type MetricsInput } from '../../src/render/metrics.js';
import { bw, ctr, fleetOf, NOW_S, OURS, proc } from '../helpers/model.js';

const GOLDEN = fileURLToPath(new URL('./golden/metrics.prom', import.meta.url));

function input(): MetricsInput {
  const heartbeats = new Map([['ok-v0.13.0@h', { last_heartbeat_at: NOW_S - 1.5, freq: 2, active: 0, processed: 3, loadavg: null }]]);
  const tasks = new Map([['old-v0.12.0@h', { succeeded: 1, failed: 4, retried: 0, rejected: 0 }]]);
  const workers = fleetOf({
    workers: [bw('ok-v0.13.0@h'), bw('old-v0.12.0@h', { queues: ['gpu'] }), bw('evil"\\\n-v0.13.0@h', { responsive: false })],
    processes: [proc('old-v0.12.0@h', { pid: 10 })],
    containers: [ctr('c@1', { name: 'c1', restart_count: 3, worker_name: 'c@1' })],
    heartbeats, listenedS: 2.5, tasks,
  });
  const policy = { minWorkers: 1, minWorkersFor: {}, unackedAgeS: 600, nowS: NOW_S };
  const queues = [
    queueRow({ name: 'celery', messages: 2, unacked: 1, oldestUnackedAt: NOW_S - 30, orphaned: 0, oldestOrphanAt: null, readProblems: [] }, workers, policy),
    queueRow({ name: 'gpu', messages: 0, unacked: 0, oldestUnackedAt: null, orphaned: 0, oldestOrphanAt: null, readProblems: [] }, workers, policy),
  ];
  const di: DiagnoseInput = {
    broker: { ok: true, display: OURS.display, error: null, latency_ms: 1, version: '7.0', kind: 'redis', alarms: [], used_memory: 1, maxmemory: 0, maxmemory_policy: 'noeviction', rejected_connections: 0 },
    serverVersion: '0.13.0', workers, queues, stale: [], registries: [], engines: [], hosts: [], remedy: { brokerDisplay: OURS.display },
    tasks, listenedS: 2.5, skipped: {},
  };
  const diagnosis = diagnose(di, ['broker', 'worker-versions', 'task-failures']);
  return {
    diagnosis, workers, queues, heartbeats, tasks, containers: [ctr('c@1', { name: 'c1', restart_count: 3 })],
    sources: [{ source: 'broker', up: true }, { source: 'ssh:h', up: false }], beats: 0, durationS: 1.2345, nowS: NOW_S,
  };
}

describe('metricsText', () => {
  it('matches the golden exposition for a fixed model', () => {
    const text = metricsText(metricFamilies(input()));
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('escapes backslash, double quote and newline in label values, and nothing else', () => {
    expect(escapeLabel('a\\b"c\nd\te')).toBe('a\\\\b\\"c\\nd\te');
    const text = metricsText(metricFamilies(input()));
    expect(text).toContain('fleetdoc_worker_responsive{worker="evil\\"\\\\\\n-v0.13.0@h"} 0');
    // Every sample line is one line: no raw newline from a hostile name.
    for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) fleetdoc_\w+ .*|fleetdoc_\w+(\{.*\})? -?[\d.e+-]+|NaN)$/);
  });

  it('never prints two series with the same labels (a duplicate worker record)', () => {
    const fam = { name: 'fleetdoc_x', help: 'x', type: 'gauge' as const, labelNames: ['worker'], samples: [{ labels: { worker: 'a' }, value: 1 }, { labels: { worker: 'a' }, value: 2 }] };
    expect(metricsText([fam])).toBe('# HELP fleetdoc_x x\n# TYPE fleetdoc_x gauge\nfleetdoc_x{worker="a"} 1\n');
  });
});
