// Pure: one liveness state per worker, with the reasons behind it. A state that leads to a kill or a
// cleanup needs positive evidence (a process or container state, a connection seen or missing, the
// broker's own count of listeners); silence alone only ever gives "unresponsive, cause unknown".
import type { MatchResult } from './broker-match.js';
import { isExited, isStopped, stateLetter } from '../worker/process-state.js';

export type { LivenessState } from '../types.js';
import type { LivenessState } from '../types.js';

export interface LivenessInput {
  responsive: boolean;
  inRoster: boolean;
  /** The ping timeout, for the first reason. */
  timeoutS: number;
  process?: { host: string; pid: number; state: string } | null;
  /** An SSH host that should run this worker was queried successfully. */
  processLookedUp: boolean;
  container?: { name: string; status: string; exit_code: number | null; oom_killed: boolean } | null;
  containerLookedUp: boolean;
  /** Why a source that could know this worker was not read (SSH host or Docker engine down). */
  hostUnreachable?: string | null;
  /** null: no heartbeat heard in the listen window. */
  heartbeat?: { age_s: number; freq: number | null } | null;
  /** How long we listened to celeryev; 0 = not listened, heartbeats unknown. */
  listenedS: number;
  match: MatchResult;
  /**
   * For a roster entry no other source shows: how many pidbox listeners did not answer (the broker's
   * own count minus the replies), and the silent subscribers' addresses. silent null = cannot tell.
   */
  listeners: { silent: number | null; addrs: string[] };
  unacked?: { count: number; oldest_age_s: number | null } | null;
  visibilityTimeoutS: number;
  /** Its -P pool, when its command line says (null: prefork, Celery's default). */
  pool?: string | null;
  /** Seconds since its process or container started, when known; restarts of its container. */
  upS?: number | null;
  restarts?: number;
}

export interface Liveness {
  state: LivenessState;
  reasons: string[];
  /** Positive evidence backs the state: a selector may plan a kill or cleanup on it. */
  evidenced: boolean;
}

// Celery needs a few seconds to connect and declare its mailbox: silence this early is no verdict.
const STARTING_S = 30;
// Celery calls a worker offline once 2 × freq passes without a beat; one more second covers transit.
const DEFAULT_FREQ_S = 2;
const lateAfter = (freq: number) => 2 * freq + 1;

export function liveness(input: LivenessInput): Liveness {
  const hb = heartbeatNote(input.heartbeat ?? null, input.listenedS);
  if (input.responsive) {
    // It answered, so any heartbeat problem is a warning: events off, or a struggling event loop.
    if (hb.stopped && input.heartbeat) return { state: 'degraded', reasons: [hb.text!], evidenced: true };
    if (hb.stopped) return { state: 'degraded', reasons: [`${hb.text} although it answered ping (started with --without-heartbeat?)`], evidenced: true };
    return { state: 'healthy', reasons: [], evidenced: true };
  }
  const reasons = [`no ping reply in ${input.timeoutS.toFixed(1)} s`];
  const out = silent(input, hb, reasons);
  const held = unackedNote(input.unacked ?? null, input.visibilityTimeoutS);
  if (held && out.state !== 'foreign') reasons.push(held);
  return { ...out, reasons };
}

function silent(input: LivenessInput, hb: HeartbeatNote, reasons: string[]): Omit<Liveness, 'reasons'> {
  // A known cause explains the silence by itself; the heartbeat, when it stopped too, is evidence after it.
  const explained = (evidenced: boolean): Omit<Liveness, 'reasons'> => {
    if (hb.stopped) reasons.push(hb.text!);
    return { state: 'unresponsive', evidenced };
  };
  const p = input.process ?? null;
  const c = input.container ?? null;
  const m = input.match;
  if (m.match === 'other') {
    reasons.splice(0, 1, `runs on another broker: ${m.evidence}`);
    return { state: 'foreign', evidenced: true };
  }
  const where = p ? `process ${p.pid} on ${p.host}` : null;
  const letter = p ? stateLetter(p.state) : '';
  if (m.match === 'none') {
    if (where) reasons.push(`${where} is alive (${letter || '?'}) but connected to no broker: ${m.evidence}`);
    else reasons.push(`connected to no broker: ${m.evidence}`);
    return explained(true);
  }
  if (p && where) {
    if (isStopped(p.state)) {
      reasons.push(`${where} is stopped (${letter})`);
      reasons.push('a stopped worker may hold one message that is in neither its queue nor unacked: continue it (SIGCONT) before it is stopped for good');
      return explained(true);
    }
    if (letter === 'D') {
      reasons.push(`${where} is in uninterruptible sleep (D), waiting on I/O`);
      return explained(true);
    }
    if (isExited(p.state)) reasons.push(`${where} has exited (${letter})`);
  }
  if (c && c.status !== 'running') {
    reasons.push(containerText(c));
    return explained(true);
  }
  if (input.hostUnreachable && !p && !c) {
    reasons.push(`host unreachable: ${input.hostUnreachable}`);
    return explained(false);
  }
  if (hb.stopped === false) {
    // Beats prove the worker runs somewhere, so it cannot be gone, whatever the other sources say.
    reasons.push(`${hb.text}: its event loop runs, but its mailbox does not answer`);
    return { state: 'unresponsive', evidenced: true };
  }
  const aliveP = p && !isExited(p.state);
  const alive = aliveP ? `${where} is alive (${letter || '?'})` : c ? `container ${c.name} is running` : null;
  if (alive && input.upS != null && input.upS >= 0 && input.upS < STARTING_S) {
    const again = input.restarts ? ` after ${input.restarts} restart${input.restarts === 1 ? '' : 's'} (likely crash-looping)` : '';
    reasons.push(`${alive}, up ${Math.round(input.upS)} s${again}: may still be starting`);
    return { state: 'unresponsive', evidenced: false };
  }
  if (alive) {
    // Its roster entry says it was here once; a connection that may be another broker's (after a
    // failover, through Sentinel) says more about now.
    const ours = m.match === 'same' || (input.inRoster && !(m.match === 'unknown' && m.evidence));
    if (!ours) {
      reasons.push(alive, input.inRoster
        ? `${m.evidence}: its entry in this broker's roster may be older than that, cause unknown`
        : 'not on this broker, cause unknown: not in its roster, and nothing shows which broker it talks to');
      return { state: 'unresponsive', evidenced: false };
    }
    reasons.push(alive);
    if (m.evidence) reasons.push(m.evidence);
    // Such a pool runs a task on the thread that answers ping and sends heartbeats.
    const blocking = /solo|gevent|eventlet/i.exec(input.pool ?? '')?.[0].toLowerCase();
    if (blocking) {
      if (hb.stopped) reasons.push(hb.text!);
      reasons.push(`with the ${blocking} pool a worker busy with a task answers neither ping nor heartbeat: busy or hung cannot be told`);
      return { state: 'unresponsive', evidenced: false };
    }
    if (!hb.stopped) return { state: 'unresponsive', evidenced: true };
    reasons.push(`${hb.text}: hung (its heartbeat stopped while its process exists)`);
    return { state: 'stale', evidenced: true };
  }
  if (!input.inRoster) {
    reasons.push('not in the roster, and no live process or container found');
    return { state: 'unresponsive', evidenced: false };
  }
  return rosterOnly(input, hb, reasons);
}

// A roster entry nothing else shows: a ghost only when the broker says nobody silent still listens.
function rosterOnly(input: LivenessInput, hb: HeartbeatNote, reasons: string[]): Omit<Liveness, 'reasons'> {
  if (input.processLookedUp && !input.process) reasons.push('no worker process on its SSH host');
  if (input.containerLookedUp && !input.container) reasons.push('no container runs it');
  if (!input.processLookedUp && !input.containerLookedUp && !input.process) reasons.push('only the broker could be checked (no --ssh or --docker source covers it)');
  if (hb.stopped) reasons.push(hb.text!);
  const { silent, addrs } = input.listeners;
  if (silent === null) {
    reasons.push('the broker cannot tell whether it still listens: cause unknown');
    return { state: 'unresponsive', evidenced: false };
  }
  if (silent > 0) {
    const from = addrs.length ? ` (still connected from ${addrs.slice(0, 3).join(', ')}${addrs.length > 3 ? ', …' : ''})` : '';
    reasons.push(`${silent} listener${silent === 1 ? '' : 's'} on the broker's mailbox channel did not answer${from}: hung or stopped, not gone`);
    return { state: 'unresponsive', evidenced: true };
  }
  reasons.push("no silent listener remains on the broker's mailbox channel: its roster entry is a ghost left by a worker that died hard");
  return { state: 'gone', evidenced: true };
}

function containerText(c: NonNullable<LivenessInput['container']>): string {
  const code = c.exit_code === null ? '' : ` (exit code ${c.exit_code}${c.oom_killed ? ', OOM-killed' : ''})`;
  if (c.status === 'restarting') return `container ${c.name} is restarting${code}`;
  if (c.status === 'exited' || c.status === 'dead') return `container ${c.name} has ${c.status === 'dead' ? 'died' : 'exited'}${code}`;
  if (c.status === 'created') return `container ${c.name} was created but never started`;
  return `container ${c.name} is ${c.status}${code}`;
}

/** stopped: true (beats stopped or late), false (beating), null (cannot tell: not listened long enough). */
interface HeartbeatNote { stopped: boolean | null; text: string | null }

function heartbeatNote(hb: { age_s: number; freq: number | null } | null, listenedS: number): HeartbeatNote {
  if (hb) {
    const freq = hb.freq && hb.freq > 0 ? hb.freq : DEFAULT_FREQ_S;
    if (hb.age_s > lateAfter(freq)) return { stopped: true, text: `last heartbeat ${ago(hb.age_s)} ago (beats every ${freq} s)` };
    return { stopped: false, text: `still sends heartbeats (last ${ago(hb.age_s)} ago)` };
  }
  // A window shorter than one beat proves nothing.
  if (listenedS < DEFAULT_FREQ_S) return { stopped: null, text: null };
  return { stopped: true, text: `no heartbeat in ${listenedS.toFixed(1)} s` };
}

function unackedNote(u: { count: number; oldest_age_s: number | null } | null, visibilityS: number): string | null {
  if (!u || u.count <= 0) return null;
  const held = `holds ${u.count} unacked task${u.count === 1 ? '' : 's'}`;
  const it = u.count === 1 ? 'it' : 'the oldest';
  if (u.oldest_age_s === null) return `${held}; the visibility timeout (${visibilityS} s) hands ${it} back at most ${ago(visibilityS)} after delivery`;
  const oldest = `${held}, oldest ${ago(u.oldest_age_s)}`;
  if (u.oldest_age_s >= visibilityS) return `${oldest}, past the visibility timeout (${visibilityS} s): the next restore check redelivers ${u.count === 1 ? 'it' : 'them'}`;
  return `${oldest}; the visibility timeout (${visibilityS} s) hands ${it} back in ${ago(visibilityS - u.oldest_age_s)}`;
}

/** 4.2 s, 45 s, 14 min, 3 h, 2 d. */
export function ago(s: number): string {
  if (s < 10) return `${Math.max(0, s).toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 120 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
