// The pure middle, with a fixed clock: queue rows, stale rows, diagnose's checks, and the kill runner
// driven by fake effects.
import { describe, expect, it } from 'vitest';
import { runAction } from '../../src/actions/kill.js';
import { diagnose, type DiagnoseInput } from '../../src/model/diagnose/diagnose.js';
import { queueRow, type QueueFacts } from '../../src/model/queues.js';
import type { Effects } from '../../src/model/remedy/effects.js';
import { planKill } from '../../src/model/remedy/plan.js';
import { selectTargets } from '../../src/model/remedy/targets.js';
import { staleRows } from '../../src/model/stale-rows.js';
import { bw, fleetOf, NOW_S, proc } from '../helpers/model.js';

const policy = { minWorkers: 1, minWorkersFor: {}, unackedAgeS: 600, nowS: NOW_S };
const facts = (name: string, over: Partial<QueueFacts> = {}): QueueFacts => ({
  name, messages: 0, unacked: 0, oldestUnackedAt: null, orphaned: 0, oldestOrphanAt: null, readProblems: [], ...over,
});
const remedy = { brokerDisplay: 'redis://b:6379/0' };

// One compatible worker, one unversioned thief, a foreign one on db 1, a stopped one.
const fleet = fleetOf({
  workers: [bw('good-v0.13.0@h', { queues: ['celery'] }), bw('celery@h', { queues: ['celery', 'gpu'] }), bw('held-v0.13.0@h', { responsive: false, queues: null, pid: null, children: [] })],
  processes: [
    proc('held-v0.13.0@h', { pid: 30, state: 'T', queues: ['slow'] }),
    proc('billing@h', { pid: 40, queues: ['celery', 'gpu'], connections: [{ local: '127.0.0.9:5000', remote: '127.0.0.1:6379', state: 'ESTABLISHED' }] }),
  ],
  clients: [{ addr: '127.0.0.9:5000', laddr: null, db: 1, vhost: null, subscriptions: 1, idle_s: 0, name: null }],
  sshHosts: ['h'],
});

describe('queueRow', () => {
  it.each<[string, Partial<QueueFacts>, string, string[]]>([
    ['an incompatible consumer can steal', {}, 'critical', ['incompatible consumer celery@h can take tasks']],
    ['waiting tasks and no compatible consumer', { name: 'gpu', messages: 3 }, 'critical', ['3 messages waiting and no compatible, responsive worker consumes the queue', 'incompatible consumer celery@h can take tasks']],
    ['old unacked tasks of a worker that stopped answering', { name: 'slow', orphaned: 1, oldestOrphanAt: NOW_S - 900 }, 'warning', ['0 compatible consumers, fewer than the 1 wanted', '1 unacked task held by unresponsive worker held-v0.13.0@h, oldest 900 s']],
    ['an idle queue nobody consumes is fine', { name: 'idle' }, 'ok', []],
  ])('%s', (_what, over, severity, problems) => {
    const r = queueRow(facts(over.name ?? 'celery', over), fleet, policy);
    expect(r.severity).toBe(severity);
    expect(r.problems).toEqual(problems);
  });

  it('never counts a worker of another broker as a consumer', () => {
    const r = queueRow(facts('gpu'), fleet, policy);
    expect([...r.consumers.compatible, ...r.consumers.incompatible, ...r.consumers.unresponsive]).not.toContain('billing@h');
  });

  it('a per-queue minimum applies even to an idle queue', () => {
    expect(queueRow(facts('idle'), fleet, { ...policy, minWorkersFor: { idle: 2 } }).problems).toEqual(['0 compatible consumers, fewer than the 2 wanted']);
  });
});

describe('staleRows', () => {
  const rows = staleRows(fleet, { ...remedy, nowS: NOW_S, graceS: 5, heartbeats: new Map([['good-v0.13.0@h', { last_heartbeat_at: NOW_S - 1, freq: 2, active: 0, processed: 9, loadavg: null }]]) });
  const row = (name: string) => rows.find((r) => r.name === name)!;

  it('reads each state off the verdict, grading liveness only', () => {
    expect(rows.map((r) => [r.name, r.state, r.severity])).toEqual([
      ['billing@h', 'foreign', 'ok'], ['celery@h', 'healthy', 'ok'], ['good-v0.13.0@h', 'healthy', 'ok'], ['held-v0.13.0@h', 'unresponsive', 'critical'],
    ]);
    expect(row('good-v0.13.0@h')).toMatchObject({ last_heartbeat_age_s: 1, processed: 9 });
  });

  it('remedies only what evidence backs, with the grace given', () => {
    expect(row('billing@h').remediation).toEqual([]);
    expect(row('held-v0.13.0@h').remediation.map((r) => r.command)).toEqual(['kill -CONT 30 11 12', 'kill -TERM 30', 'sleep 5; kill -0 30 2>/dev/null && kill -KILL 30 11 12']);
  });
});

describe('diagnose', () => {
  const input = (over: Partial<DiagnoseInput> = {}): DiagnoseInput => ({
    broker: { ok: true, display: 'redis://b:6379/0', error: null, kind: 'redis', latency_ms: 1, version: '7.0', used_memory: 10, maxmemory: 100, maxmemory_policy: 'allkeys-lru', rejected_connections: 0, alarms: [] },
    serverVersion: '0.13.0', workers: fleet, queues: [queueRow(facts('celery'), fleet, policy)],
    stale: staleRows(fleet, { ...remedy, nowS: NOW_S, graceS: 10, heartbeats: new Map() }),
    registries: [], engines: [], hosts: [], remedy, skipped: {}, ...over,
  });

  it('names each problem once, under its check, with its severity', () => {
    const d = diagnose(input(), ['broker', 'worker-versions', 'queue-health', 'stale-workers']);
    expect(d.findings.map((f) => [f.check, f.severity, f.subject])).toEqual([
      ['broker', 'critical', 'redis://b:6379/0'],
      ['worker-versions', 'critical', 'celery@h'],
      ['queue-health', 'critical', 'celery'],
      ['stale-workers', 'critical', 'held-v0.13.0@h'],
    ]);
    expect(d).toMatchObject({ status: 'critical', exit_code: 2 });
    expect(d.findings[0].remediation).toEqual([{ where: 'broker', command: 'redis-cli CONFIG SET maxmemory-policy noeviction' }]);
  });

  it('a broker that cannot be read is unknown, and its checks say why', () => {
    const d = diagnose(input({ broker: { ...input().broker, ok: false, error: 'connection refused' }, skipped: { 'queue-health': { reason: 'the broker cannot be read', status: 'unknown' } }, workers: [], stale: [], queues: [] }), ['broker', 'queue-health']);
    expect(d.checks.map((c) => [c.name, c.status, c.skipped])).toEqual([['broker', 'unknown', null], ['queue-health', 'unknown', 'the broker cannot be read']]);
    expect(d.exit_code).toBe(3);
  });

  it('a RabbitMQ alarm is critical', () => {
    const d = diagnose(input({ broker: { ...input().broker, kind: 'rabbitmq', maxmemory: null, maxmemory_policy: null, alarms: ['memory alarm on rabbit@h'] } }), ['broker']);
    expect(d.findings.map((f) => f.message)).toEqual(['the broker raised an alarm: memory alarm on rabbit@h (publishers are blocked until it clears)']);
  });
});

describe('runAction', () => {
  function fakes(o: { goneAfter: string; answersShutdown?: boolean }) {
    const calls: string[] = [];
    let t = 0;
    let alive = true;
    const fx: Effects = {
      shutdown: async (n) => { calls.push(`shutdown ${n}`); if (o.answersShutdown) alive = false; },
      answering: async () => alive,
      signal: async (target, sig, pids) => { calls.push(`${sig} ${pids.join(' ')}`); if (sig === o.goneAfter) alive = false; return null; },
      run: async (_target, argv) => { calls.push(argv.join(' ')); if (o.goneAfter === 'run') alive = false; return null; },
      alive: async () => alive,
      dockerStop: async () => null, dockerRm: async () => null, containerRunning: async () => alive,
      removeBinding: async (n) => { calls.push(`srem ${n}`); },
      sleep: async (ms) => { t += ms; },
      now: () => t,
    };
    return { fx, calls };
  }
  const plan = (name: string) => planKill(selectTargets(fleet, [name], []), { ...remedy, graceS: 1, rm: false })[0];

  it('stops at the first step that works, and verifies', async () => {
    const { fx, calls } = fakes({ goneAfter: 'TERM' });
    const a = await runAction(plan('held-v0.13.0@h'), fx);
    expect(calls).toEqual(['CONT 30 11 12', 'TERM 30']);
    expect(a).toMatchObject({ result: 'stopped', detail: null });
  });

  it('goes on to KILL after the grace when TERM is not enough', async () => {
    const { fx, calls } = fakes({ goneAfter: 'KILL' });
    expect((await runAction(plan('held-v0.13.0@h'), fx)).result).toBe('stopped');
    expect(calls).toEqual(['CONT 30 11 12', 'TERM 30', 'KILL 30 11 12']);
  });

  it('reports still-running when nothing worked', async () => {
    const { fx } = fakes({ goneAfter: 'never' });
    expect((await runAction(plan('held-v0.13.0@h'), fx)).result).toBe('still-running');
  });
});

describe('queuePolicy', () => {
  it('reads min_workers from the config file, then the flags (diagnose and queues alike)', async () => {
    const { queuePolicy } = await import('../../src/cli/settings/options.js');
    const settings = { config: { min_workers: { gpu: 2, celery: 3 } } } as never;
    expect(queuePolicy(settings, ['celery=1'], undefined, NOW_S)).toMatchObject({ minWorkers: 1, minWorkersFor: { gpu: 2, celery: 1 }, unackedAgeS: 600 });
    expect(queuePolicy({ config: { min_workers: 4 } } as never, [], '90s', NOW_S)).toMatchObject({ minWorkers: 4, unackedAgeS: 90 });
  });
});
