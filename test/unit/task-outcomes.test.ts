// Task outcomes: stats per worker, whether a command line sends task events, and task-failures.
import { describe, expect, it } from 'vitest';
import { sendsTaskEvents, taskEvidence, taskFailureFindings, taskStats } from '../../src/model/diagnose/task-outcomes.js';
import { bw, fleetOf, proc } from '../helpers/model.js';

const t = (succeeded: number, failed: number) => ({ succeeded, failed, retried: 0, rejected: 0 });
const o = { brokerDisplay: 'redis://127.0.0.1:6379/0' };

describe('taskStats', () => {
  it('no events heard is unknown, not zero', () => {
    expect(taskStats(new Map(), 'a')).toEqual({ tasks: null, failure_rate: null });
    expect(taskStats(new Map([['a', t(3, 1)]]), 'a')).toEqual({ tasks: t(3, 1), failure_rate: 0.25 });
    expect(taskStats(new Map([['a', { succeeded: 0, failed: 0, retried: 2, rejected: 0 }]]), 'a').failure_rate).toBeNull();
  });
});

describe('sendsTaskEvents', () => {
  it.each([
    [['celery', '-A', 'app', 'worker', '-E'], true],
    [['celery', 'worker', '-BE'], true],
    [['celery', 'worker', '--task-events'], true],
    [['celery', 'worker', '-lERROR'], false],
    [['celery', '-A', 'app', 'worker', '-c', '2'], false],
  ])('%j → %s', (argv, want) => {
    const [w] = fleetOf({ workers: [bw('a@h')], processes: [proc('a@h', { argv: argv as string[] })] });
    expect(sendsTaskEvents(w)).toBe(want);
  });
});

describe('taskFailureFindings', () => {
  const workers = fleetOf({ workers: [bw('new-v0.13.0@h'), bw('old-v0.12.0@h'), bw('few-v0.13.0@h'), bw('fine-v0.13.0@h')] });
  const tasks = new Map([['new-v0.13.0@h', t(2, 2)], ['old-v0.12.0@h', t(1, 3)], ['few-v0.13.0@h', t(0, 3)], ['fine-v0.13.0@h', t(3, 1)]]);
  const found = taskFailureFindings(workers, tasks, 5, o);

  it('half of at least 4 is a warning, critical when the worker is incompatible (with the kill to type)', () => {
    expect(found.map((f) => [f.subject, f.severity])).toEqual([['new-v0.13.0@h', 'warning'], ['old-v0.12.0@h', 'critical']]);
    expect(found[1].message).toBe("old-v0.12.0@h failed 3 of 4 tasks in the last 5 s and runs release 0.12.0, not the server's");
    expect(found[1].remediation).toEqual([{ where: 'here', command: 'fleetdoc kill old-v0.12.0@h --yes' }]);
    expect(found[0].remediation).toEqual([]);
  });

  it('says which workers cannot report task outcomes (no -E), without guessing', () => {
    const ws = fleetOf({ workers: [bw('a@h'), bw('b@h')], processes: [proc('a@h', { argv: ['celery', 'worker', '-n', 'a@h'] })] });
    expect(taskEvidence(ws, new Map(), 4)).toEqual([
      'listened 4 s: 0 of 2 responsive workers sent task events',
      'started without -E, so they send no task events (their failures cannot be seen): a@h',
      'no task events from b@h: idle, or started without -E',
    ]);
    expect(taskEvidence(ws, new Map(), 0)).toEqual(['not listened (--listen 0): task outcomes unknown']);
  });
});
