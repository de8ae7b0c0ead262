import { describe, expect, it } from 'vitest';
import { ago, liveness, type LivenessInput } from '../../src/model/verdict/liveness.js';

type StaleInput = LivenessInput;
const base: StaleInput = {
  responsive: false,
  inRoster: true,
  timeoutS: 1,
  process: null,
  processLookedUp: true,
  container: null,
  containerLookedUp: false,
  hostUnreachable: null,
  heartbeat: null,
  listenedS: 2.5,
  match: { match: 'unknown', broker: null, evidence: null },
  listeners: { silent: 0, addrs: [] },
  unacked: null,
  visibilityTimeoutS: 3600,
};
const s = (over: Partial<StaleInput>) => liveness({ ...base, ...over });
const proc = (state: string) => ({ host: 'pandalab-01', pid: 29, state });
const box = (status: string, exit_code: number | null = null, oom_killed = false) => ({ name: 'render-1', status, exit_code, oom_killed });

describe('liveness', () => {
  it.each<[string, Partial<StaleInput>, string, RegExp[]]>([
    ['responsive and beating', { responsive: true, heartbeat: { age_s: 0.8, freq: 2 } }, 'healthy', []],
    ['responsive, not listened', { responsive: true, listenedS: 0 }, 'healthy', []],
    ['responsive, window too short to tell', { responsive: true, listenedS: 1 }, 'healthy', []],
    ['responsive, heartbeat late', { responsive: true, heartbeat: { age_s: 7.3, freq: 2 } }, 'degraded', [/^last heartbeat 7\.3 s ago \(beats every 2 s\)$/]],
    ['responsive, no heartbeat', { responsive: true }, 'degraded', [/^no heartbeat in 2\.5 s although it answered ping/]],
    ['stopped process', { process: proc('T') }, 'unresponsive', [/^no ping reply in 1\.0 s$/, /^process 29 on pandalab-01 is stopped \(T\)$/, /SIGCONT/, /^no heartbeat in 2\.5 s$/]],
    ['stopped, tracing (t)', { process: proc('t'), listenedS: 0 }, 'unresponsive', [/^no ping reply/, /is stopped \(t\)/, /SIGCONT/]],
    ['disk sleep', { process: proc('D'), listenedS: 0 }, 'unresponsive', [/^no ping reply/, /uninterruptible sleep \(D\)/]],
    ['alive process, heartbeat stopped', { process: proc('Sl') }, 'stale', [/^no ping reply/, /^process 29 on pandalab-01 is alive \(S\)$/, /^no heartbeat in 2\.5 s: hung/]],
    ['alive process, heartbeat late', { process: proc('R'), heartbeat: { age_s: 30, freq: 2 } }, 'stale', [/^no ping reply/, /alive \(R\)/, /^last heartbeat 30 s ago .*: hung/]],
    ['alive process, not listened', { process: proc('S'), listenedS: 0 }, 'unresponsive', [/^no ping reply/, /alive \(S\)$/]],
    ['alive process, still beating', { process: proc('S'), heartbeat: { age_s: 1.2, freq: 2 } }, 'unresponsive', [/^no ping reply/, /^still sends heartbeats \(last 1\.2 s ago\): its event loop runs/]],
    ['alive, other broker', { process: proc('S'), match: { match: 'other', broker: 'redis://10.0.0.9:6379/0', evidence: 'its settings name another broker: redis://10.0.0.9:6379/0' } }, 'foreign', [/^runs on another broker: its settings name another broker: redis:\/\/10\.0\.0\.9/]],
    ['alive, connected to no broker', { process: proc('S'), match: { match: 'none', broker: 'redis://192.0.2.1:6379/0', evidence: 'its broker is redis://192.0.2.1:6379/0, but still trying to connect to 192.0.2.1:6379' } }, 'unresponsive', [/^no ping reply/, /^process 29 on pandalab-01 is alive \(S\) but connected to no broker: .*still trying to connect to 192\.0\.2\.1:6379$/, /^no heartbeat/]],
    ['alive, not in roster, nothing says where', { inRoster: false, process: proc('S') }, 'unresponsive', [/^no ping reply/, /alive \(S\)$/, /^not on this broker, cause unknown/]],
    ['alive, not in roster, connected here', { inRoster: false, process: proc('S'), match: { match: 'same', broker: 'redis://h/0', evidence: 'connected to this broker from 127.0.0.1:5000 (db 0)' } }, 'stale', [/^no ping reply/, /alive \(S\)$/, /^connected to this broker from/, /: hung/]],
    ['ghost, but silent listeners remain', { listeners: { silent: 1, addrs: ['127.0.0.1:40000 idle 30 s'] } }, 'unresponsive', [/^no ping reply/, /^no worker process on its SSH host$/, /^no heartbeat/, /^1 listener on the broker's mailbox channel did not answer \(still connected from 127\.0\.0\.1:40000 idle 30 s\): hung or stopped, not gone$/]],
    ['alive, just started', { process: proc('S'), upS: 4 }, 'unresponsive', [/^no ping reply/, /^process 29 on pandalab-01 is alive \(S\), up 4 s: may still be starting$/]],
    ['container just restarted', { container: box('running'), upS: 3, restarts: 2 }, 'unresponsive', [/^no ping reply/, /^container render-1 is running, up 3 s after 2 restarts \(likely crash-looping\): may still be starting$/]],
    ['roster entry, the broker cannot count listeners', { listeners: { silent: null, addrs: [] } }, 'unresponsive', [/^no ping reply/, /^no worker process/, /^no heartbeat/, /cause unknown$/]],
    ['container restarting', { processLookedUp: false, containerLookedUp: true, container: box('restarting', 1) }, 'unresponsive', [/^no ping reply/, /^container render-1 is restarting \(exit code 1\)$/, /^no heartbeat/]],
    ['container exited OOM', { processLookedUp: false, containerLookedUp: true, container: box('exited', 137, true) }, 'unresponsive', [/^no ping reply/, /^container render-1 has exited \(exit code 137, OOM-killed\)$/, /^no heartbeat/]],
    ['container paused', { containerLookedUp: true, container: box('paused') }, 'unresponsive', [/^no ping reply/, /render-1 is paused$/, /^no heartbeat/]],
    ['container running, heartbeat stopped', { processLookedUp: false, containerLookedUp: true, container: box('running') }, 'stale', [/^no ping reply/, /^container render-1 is running$/, /: hung/]],
    ['host unreachable', { processLookedUp: false, hostUnreachable: 'ssh pandalab-01: connection timed out' }, 'unresponsive', [/^no ping reply/, /^host unreachable: ssh pandalab-01: connection timed out$/, /^no heartbeat/]],
    ['ghost, SSH checked', {}, 'gone', [/^no ping reply/, /^no worker process on its SSH host$/, /^no heartbeat/, /ghost/]],
    ['ghost, Docker checked', { processLookedUp: false, containerLookedUp: true }, 'gone', [/^no ping reply/, /^no container runs it$/, /^no heartbeat/, /ghost/]],
    ['ghost, only the broker to check', { processLookedUp: false }, 'gone', [/^no ping reply/, /^only the broker could be checked/, /^no heartbeat/, /ghost/]],
    ['zombie process', { process: proc('Z') }, 'gone', [/^no ping reply/, /^process 29 on pandalab-01 has exited \(Z\)$/, /^no heartbeat/, /ghost/]],
    ['no process but still beating', { heartbeat: { age_s: 0.5, freq: 2 } }, 'unresponsive', [/^no ping reply/, /^still sends heartbeats/]],
    ['not in roster, nothing found', { inRoster: false }, 'unresponsive', [/^no ping reply/, /not in the roster/]],
  ])('%s', (_label, over, state, reasons) => {
    const v = s(over);
    expect(v.state).toBe(state);
    expect(v.reasons).toHaveLength(reasons.length);
    reasons.forEach((re, i) => expect(v.reasons[i]).toMatch(re));
  });

  it.each<[string, Partial<StaleInput>, boolean]>([
    ['a stopped process', { process: proc('T') }, true],
    ['a ghost the broker counts no listener for', {}, true],
    ['a roster entry the broker cannot count for', { listeners: { silent: null, addrs: [] } }, false],
    ['a live process nothing ties to this broker', { inRoster: false, process: proc('S') }, false],
    ['an unreachable host', { processLookedUp: false, hostUnreachable: 'ssh h: refused' }, false],
    ['a worker still starting', { process: proc('S'), upS: 5 }, false],
    // Its roster entry may predate a failover: a connection that may be another broker's outweighs it.
    ['in the roster, connected where this broker may not be', { process: proc('S'), match: { match: 'unknown', broker: 'redis://a;redis://b', evidence: 'connected to 10.0.0.2:6379, the broker its env names; whether that is this broker under another name cannot be told' } }, false],
    ['in the roster, nothing readable about its connections', { process: proc('S') }, true],
    // A solo (or gevent, eventlet) worker busy with one task answers neither ping nor heartbeat.
    ['a solo worker gone quiet', { process: proc('S'), pool: 'solo' }, false],
    ['a gevent worker gone quiet, not listened', { process: proc('R'), pool: 'gevent', listenedS: 0 }, false],
    ['a solo worker that is stopped', { process: proc('T'), pool: 'solo' }, true],
    ['a solo worker still beating whose mailbox does not answer', { process: proc('S'), pool: 'solo', heartbeat: { age_s: 1, freq: 2 } }, true],
    ['a prefork worker gone quiet', { process: proc('S'), pool: 'prefork' }, true],
  ])('only positive evidence backs a verdict: %s', (_label, over, evidenced) => {
    expect(s(over).evidenced).toBe(evidenced);
  });

  it('says why a quiet solo worker is no proof of a hang', () => {
    const v = s({ process: proc('S'), pool: 'solo' });
    expect(v.state).toBe('unresponsive');
    expect(v.reasons.at(-1)).toMatch(/^with the solo pool a worker busy with a task answers neither ping nor heartbeat: busy or hung cannot be told$/);
  });

  it('uses the timeout in the first reason', () => {
    expect(s({ timeoutS: 2.25 }).reasons[0]).toBe('no ping reply in 2.3 s');
  });

  it('late means 2 × freq + 1 s, with freq from the heartbeat', () => {
    expect(s({ responsive: true, heartbeat: { age_s: 5, freq: 2 } }).state).toBe('healthy');
    expect(s({ responsive: true, heartbeat: { age_s: 5.1, freq: 2 } }).state).toBe('degraded');
    expect(s({ responsive: true, heartbeat: { age_s: 20, freq: 10 } }).state).toBe('healthy');
    expect(s({ responsive: true, heartbeat: { age_s: 5.1, freq: null } }).state).toBe('degraded');
  });

  it.each<[StaleInput['unacked'], string | null]>([
    [{ count: 1, oldest_age_s: 840 }, 'holds 1 unacked task, oldest 14 min; the visibility timeout (3600 s) hands it back in 46 min'],
    [{ count: 3, oldest_age_s: 840 }, 'holds 3 unacked tasks, oldest 14 min; the visibility timeout (3600 s) hands the oldest back in 46 min'],
    [{ count: 2, oldest_age_s: 4000 }, 'holds 2 unacked tasks, oldest 67 min, past the visibility timeout (3600 s): the next restore check redelivers them'],
    [{ count: 1, oldest_age_s: 3600 }, 'holds 1 unacked task, oldest 60 min, past the visibility timeout (3600 s): the next restore check redelivers it'],
    [{ count: 1, oldest_age_s: null }, 'holds 1 unacked task; the visibility timeout (3600 s) hands it back at most 60 min after delivery'],
    [{ count: 0, oldest_age_s: null }, null],
    [null, null],
  ])('stuck tasks %j', (unacked, text) => {
    const v = s({ process: proc('T'), unacked });
    expect(v.reasons.at(-1)).toBe(text ?? 'no heartbeat in 2.5 s');
  });

  it('the issue example: a stopped worker holding one task', () => {
    const v = s({ listenedS: 0, process: proc('T'), unacked: { count: 1, oldest_age_s: 840 } });
    expect(v).toMatchObject({ state: 'unresponsive', evidenced: true });
    expect(v.reasons.slice(0, 2)).toEqual(['no ping reply in 1.0 s', 'process 29 on pandalab-01 is stopped (T)']);
  });

  it('a responsive worker never reports stuck tasks', () => {
    expect(s({ responsive: true, heartbeat: { age_s: 1, freq: 2 }, unacked: { count: 4, oldest_age_s: 10 } }).reasons).toEqual([]);
  });

  it.each([[4.24, '4.2 s'], [45, '45 s'], [840, '14 min'], [3 * 3600, '3 h'], [3 * 86400, '3 d']])('ago(%s) = %s', (n, text) => {
    expect(ago(n)).toBe(text);
  });
});
