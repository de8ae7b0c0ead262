import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bindingMember } from '../../src/model/remedy/commands.js';
import { planKill } from '../../src/model/remedy/plan.js';
import { globToRegExp, selectTargets } from '../../src/model/remedy/targets.js';
import type { BrokerWorker, ProcessRecord } from '../../src/model/types.js';
import { splitShellWords } from '../../src/util/shell.js';
import { ctr, fleetOf, NOW_S } from '../helpers/model.js';

const bw = (name: string, over: Partial<BrokerWorker> = {}): BrokerWorker => ({
  name, responsive: true, pid: 100, concurrency: 1, uptime_s: 1, queues: ['celery'], children: [101], broker: null, in_roster: true, ...over,
});
const proc = (name: string, over: Partial<ProcessRecord> = {}): ProcessRecord => ({
  target: 'hostA', host: 'hostA', pid: 29, ppid: 1, state: 'S', elapsed_s: 10, rss_kb: 1000, children: [30, 31],
  command: 'celery worker', argv: ['celery', 'worker'], worker_name: name, queues: ['celery'], concurrency: 2, ...over,
});
const fleet = fleetOf({
  workers: [bw('main-v0.13.0@hostA'), bw('celery@hostA'), bw('old-v0.12.0@hostA'), bw('render-v0.13.0@hostA', { responsive: false, pid: null, queues: null })],
  processes: [proc('render-v0.13.0@hostA', { state: 'T' }), proc('celery@hostA', { pid: 100, children: [101] })],
});
const opts = { graceS: 10, rm: false, brokerDisplay: 'redis://:****@b:6379/0' };

describe('selectTargets', () => {
  it('a glob never hits a compatible, responsive worker', () => {
    const names = selectTargets(fleet, ['*@hostA'], []).map((s) => s.worker?.name);
    expect(names).not.toContain('main-v0.13.0@hostA');
    expect(names).toEqual(expect.arrayContaining(['celery@hostA', 'old-v0.12.0@hostA', 'render-v0.13.0@hostA']));
  });
  it('an exact name does', () => {
    expect(selectTargets(fleet, ['main-v0.13.0@hostA'], [])[0].worker?.name).toBe('main-v0.13.0@hostA');
  });
  it('selectors pick by class and never a compatible, responsive worker', () => {
    expect(selectTargets(fleet, [], ['unversioned']).map((s) => s.worker?.name)).toEqual(['celery@hostA']);
    expect(selectTargets(fleet, [], ['mismatched']).map((s) => s.worker?.name)).toEqual(['old-v0.12.0@hostA']);
    expect(selectTargets(fleet, [], ['incompatible']).map((s) => s.worker?.name).sort()).toEqual(['celery@hostA', 'old-v0.12.0@hostA']);
    expect(selectTargets(fleet, [], ['stale']).map((s) => s.worker?.name)).toEqual(['render-v0.13.0@hostA']);
  });
  it('host:pid and unknown targets', () => {
    expect(selectTargets(fleet, ['hostA:29'], [])[0].worker?.name).toBe('render-v0.13.0@hostA');
    expect(selectTargets(fleet, ['nope@x'], [])[0]).toMatchObject({ worker: null, problem: 'no worker named nope@x' });
  });
  it.each([['celery@*', 'celery@h', true], ['celery@*', 'xcelery@h', false], ['a?c', 'abc', true], ['w[0-9]', 'w7', true], ['w[!0-9]', 'w7', false], ['a.b', 'axb', false]])(
    'glob %s ~ %s: %s', (g, name, want) => expect(globToRegExp(g).test(name)).toBe(want));
});

describe('a second process under the same name', () => {
  // Replies and heartbeats are keyed by name: the second process's silence says nothing about it.
  const hb = new Map([['old-v0.12.0@hostA', { last_heartbeat_at: NOW_S - 1, freq: 2 }]]);
  const dup = fleetOf({
    workers: [bw('old-v0.12.0@hostA', { pid: 29 })],
    processes: [proc('old-v0.12.0@hostA', { pid: 29 }), proc('old-v0.12.0@hostA', { pid: 200, children: [201] })],
    heartbeats: hb, listenedS: 2.5,
  });
  it('is never judged hung from the other one\'s heartbeats, and no glob or selector hits it', () => {
    const second = dup.find((w) => w.duplicate_of)!;
    expect(second.process?.pid).toBe(200);
    expect(second.verdict).toMatchObject({ state: 'unresponsive', actionable: false });
    expect(second.verdict.reasons.join(' ')).toMatch(/same name/);
    expect(selectTargets(dup, [], ['stale'])).toEqual([]);
    for (const sel of ['incompatible', 'mismatched'] as const) {
      expect(selectTargets(dup, [], [sel]).map((s) => s.worker?.process?.pid)).toEqual([29]);
    }
    expect(selectTargets(dup, ['old-*'], []).map((s) => s.worker?.process?.pid)).toEqual([29]);
  });
  it('can still be named by host and pid', () => {
    expect(selectTargets(dup, ['hostA:200'], [])[0].worker?.process?.pid).toBe(200);
  });
});

describe('a roster entry and a silent listener', () => {
  // One listener heard the broadcast and nobody answered. Z, alive but still connecting, is not that
  // listener: the one that heard is Y's, so Y's entry is no ghost to clean up.
  it('counts only a worker seen on this broker as the silent listener', () => {
    const ws = fleetOf({
      workers: [bw('y-v0.12.0@hostB', { responsive: false, pid: null, queues: null }), bw('z-v0.12.0@hostA', { responsive: false, pid: null, queues: null })],
      processes: [proc('z-v0.12.0@hostA', { connections: [{ local: '127.0.0.9:4000', remote: '127.0.0.1:6379', state: 'SYN_SENT' }] })],
      reached: 1, sshHosts: ['hostA'],
    });
    const y = ws.find((w) => w.name === 'y-v0.12.0@hostB')!;
    expect(y.verdict.state).not.toBe('gone');
    expect(planKill(selectTargets(ws, [], ['stale']), opts).flatMap((a) => a.steps.map((s) => s.kind))).not.toContain('remove-binding');
  });
});

describe('heartbeats as evidence', () => {
  const silentOld = () => bw('old-v0.12.0@hostA', { responsive: false, pid: null, queues: null });
  const alive = proc('old-v0.12.0@hostA', { pid: 29, connections: [{ local: '127.0.0.9:4000', remote: '127.0.0.1:6379', state: 'ESTABLISHED' }] });
  const clients = [{ addr: '127.0.0.9:4000', laddr: '127.0.0.1:6379', db: 0, vhost: null, subscriptions: 1, idle_s: 0, name: null }];
  const judged = (hb: Record<string, unknown>) => fleetOf({
    workers: [silentOld()], processes: [alive], clients, sshHosts: ['hostA'], listenedS: 2.5,
    heartbeats: new Map([['old-v0.12.0@hostA', { last_heartbeat_at: NOW_S - 8, freq: 2, active: null, processed: null, loadavg: null, ...hb }]]),
  })[0].verdict;

  it('reads a beat that arrived just now as fresh, though the worker\'s clock is 8 s behind', () => {
    const v = judged({ received_at: NOW_S - 0.5 });
    expect(v.state).toBe('unresponsive');
    expect(v.reasons.join(' ')).toMatch(/still sends heartbeats \(last 0\.5 s ago\)/);
  });

  it('never takes a goodbye (worker-offline) for a beat', () => {
    const v = judged({ received_at: NOW_S - 0.5, last_heartbeat_at: NOW_S - 0.5, offline: true });
    expect(v.reasons.join(' ')).not.toMatch(/still sends heartbeats/);
  });
});

describe('container: targets', () => {
  const ws = fleetOf({
    workers: [bw('a-v0.12.0@c1', { responsive: false, pid: null }), bw('b-v0.12.0@c2', { responsive: false, pid: null })],
    containers: [ctr('a-v0.12.0@c1', { id: 'ab12'.padEnd(64, '0'), name: 'w1' }), ctr('b-v0.12.0@c2', { id: 'ab34'.padEnd(64, '0'), name: 'w2' })],
  });
  it('takes a name or an id prefix that names one container, and refuses an empty or ambiguous one', () => {
    expect(selectTargets(ws, ['container:w2'], [])[0].worker?.name).toBe('b-v0.12.0@c2');
    expect(selectTargets(ws, ['container:ab3'], [])[0].worker?.name).toBe('b-v0.12.0@c2');
    expect(selectTargets(ws, ['container:ab'], [])[0]).toMatchObject({ worker: null, problem: 'container id prefix ab matches 2 containers: give more of it' });
    expect(selectTargets(ws, ['container:'], [])[0]).toMatchObject({ worker: null, problem: 'container: needs a name or an id' });
  });
});

describe('planKill', () => {
  it('a responsive worker: broker shutdown first, then TERM and KILL of the main process and its children', () => {
    const [a] = planKill(selectTargets(fleet, ['celery@hostA'], []), opts);
    expect(a.steps.map((s) => s.kind)).toEqual(['broker-shutdown', 'wait-gone', 'signal', 'wait-gone', 'signal']);
    expect(a.commands).toEqual([
      "celery -b 'redis://:****@b:6379/0' control shutdown -d celery@hostA",
      "ssh hostA 'sleep 10; kill -0 100 2>/dev/null && kill -TERM 100'",
      "ssh hostA 'sleep 10; kill -0 100 2>/dev/null && kill -KILL 100 101'",
    ]);
  });
  it.each(['T', 't'])('a stopped (%s) process is continued first, so TERM can hand its message back; KILL if it lingers', (state) => {
    const ws = fleetOf({ workers: [bw('render-v0.13.0@hostA', { responsive: false, pid: null, queues: null })], processes: [proc('render-v0.13.0@hostA', { state })] });
    const [a] = planKill(selectTargets(ws, ['render-v0.13.0@hostA'], []), opts);
    expect(a.commands).toEqual(['ssh hostA kill -CONT 29 30 31', 'ssh hostA kill -TERM 29', "ssh hostA 'sleep 10; kill -0 29 2>/dev/null && kill -KILL 29 30 31'"]);
    expect(a).toMatchObject({ host: 'hostA', pid: 29, result: 'planned' });
  });
  it('hostile names are quoted in every command', () => {
    const evil = 'x;touch /tmp/p $(id)@h';
    const w = fleetOf({ workers: [bw(evil)] });
    const [a] = planKill(selectTargets(w, [evil], []), opts);
    expect(splitShellWords(a.commands[0])).toEqual(['celery', '-b', 'redis://:****@b:6379/0', 'control', 'shutdown', '-d', evil]);
  });
  it('the ghost binding member survives bash quoting byte for byte', () => {
    for (const name of ["gone-v1@h", "it's\\odd\n@h"]) {
      const out = execFileSync('bash', ['-c', `printf %s ${bindingMember(name)}`]);
      expect(out.toString('latin1')).toBe(`\x06\x16\x06\x16${name}.celery.pidbox`);
    }
  });
});
