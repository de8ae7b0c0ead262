// Beat: reading `celery beat` command lines, finding them among probe rows, and the beat check.
import { describe, expect, it } from 'vitest';
import { beatCheck, embeddedBeat, parseCeleryBeat, type BeatRecord } from '../../src/model/diagnose/beat.js';
import { findBeats } from '../../src/sources/ssh/beat.js';
import type { Row } from '../../src/sources/ssh/probe.js';
import { OURS } from '../helpers/model.js';

describe('parseCeleryBeat', () => {
  it.each([
    [['celery', '-A', 'app', 'beat'], null],
    [['/usr/bin/python3', '/usr/bin/celery', '-A', 'app', '-b', 'redis://:pw@h:6379/0', 'beat', '-s', '/tmp/s'], 'redis://:****@h:6379/0'],
    [['python3', '-m', 'celery', '--broker=redis://h/1', '-A', 'app', 'beat'], 'redis://h/1'],
    [['sh', '-c', 'cd /srv && exec celery -A app -b redis://h:1/0 beat --pidfile='], 'redis://h:1/0'],
    [['[celery beat] -A fleetapp -b redis://h:2/0 beat'], 'redis://h:2/0'],
  ])('%j is beat, broker %s', (argv, broker) => {
    expect(parseCeleryBeat(argv as string[])).toEqual({ broker });
  });

  it.each([
    [['celery', '-A', 'app', 'worker', '-n', 'beat@h']],
    [['celery', 'inspect', 'ping']],
    [['grep', 'celery beat']],
    [['vim', 'beat.py']],
    [[]],
  ])('%j is not beat', (argv) => {
    expect(parseCeleryBeat(argv as string[])).toBeUndefined();
  });
});

describe('embeddedBeat', () => {
  it.each([
    [['celery', '-A', 'app', 'worker', '-B', '-c', '2'], ['celery', '-A', 'app', 'worker', '-c', '2']],
    [['celery', '-b', 'redis://h/0', 'worker', '-EB'], ['celery', '-b', 'redis://h/0', 'worker', '-E']],
    [['celery', 'worker', '--beat', '-n', 'x@h'], ['celery', 'worker', '-n', 'x@h']],
  ])('%j runs a scheduler; restarted as %j', (argv, restart) => {
    expect(embeddedBeat(argv)?.restart).toEqual(restart);
  });

  it.each([[['celery', 'worker', '-lBEAT']], [['celery', 'worker', '-c', '2']], [['celery', '-A', 'app', 'beat']]])('%j does not', (argv) => {
    expect(embeddedBeat(argv)).toBeUndefined();
  });
});

const row = (pid: number, ppid: number, argv: string[], elapsed = 100): Row => ({ pid, ppid, stat: 'S', elapsed_s: elapsed, rss_kb: 1, argv, cwd: null });

describe('findBeats', () => {
  it('keeps one record per scheduler: a wrapper shell and a forked copy are the same one', () => {
    const beat = ['celery', '-A', 'app', '-b', 'redis://h:1/0', 'beat'];
    const beats = findBeats([
      row(10, 1, ['sh', '-c', 'celery -A app -b redis://h:1/0 beat']), row(11, 10, beat), row(12, 11, beat),
      row(20, 1, ['celery', '-A', 'app', 'worker']),
    ], 'host:22', 'host');
    expect(beats.map((b) => [b.pid, b.broker_url, b.broker_from])).toEqual([[11, 'redis://h:1/0', 'argv']]);
  });
});

const b = (pid: number, over: Partial<BeatRecord> = {}): BeatRecord => ({
  source: 'ssh', target: 'h', host: 'h', pid, container: null, command: 'celery beat', broker_url: 'redis://127.0.0.1:6379/0', broker_from: 'argv', elapsed_s: 100 - pid, ...over,
});
const o = { brokerDisplay: OURS.display };

describe('beatCheck', () => {
  it('none found is evidence, not a finding', () => {
    expect(beatCheck([], OURS, o)).toEqual({ findings: [], evidence: [expect.stringMatching(/^no celery beat scheduler found/)] });
  });

  it('one on this broker is fine', () => {
    expect(beatCheck([b(1)], OURS, o).findings).toEqual([]);
  });

  it('two on this broker is critical: keep the elder, stop the rest (a process by pid, a container with docker stop)', () => {
    const c = beatCheck([b(5), b(1), b(9, { source: 'docker', target: 'unix:///var/run/docker.sock', container: { id: 'abc', name: 'beat;rm' } })], OURS, o);
    expect(c.findings).toHaveLength(1);
    const [f] = c.findings;
    expect(f.severity).toBe('critical');
    expect(f.message).toMatch(/^3 celery beat schedulers on this broker: every periodic task is sent 3 times; keep pid 1 on h, stop pid 5 on h, container beat;rm/);
    expect(f.remediation.map((r) => r.command)).toEqual(['kill -TERM 5', "docker stop -t 10 'beat;rm'"]);
  });

  it('schedulers on other brokers are not counted; ones naming no broker may share it: a warning', () => {
    expect(beatCheck([b(1), b(2, { broker_url: 'redis://127.0.0.1:6379/3' })], OURS, o).findings).toEqual([]);
    const c = beatCheck([b(1, { broker_url: null, broker_from: null }), b(2, { broker_url: null, broker_from: null })], OURS, o);
    expect(c.findings.map((f) => f.severity)).toEqual(['warning']);
  });
});
