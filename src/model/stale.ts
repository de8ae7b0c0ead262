// Pure: one state per worker for `fleetdoc stale`, with the reasons behind it.

export type StaleStateName = 'healthy' | 'degraded' | 'unresponsive' | 'stale' | 'gone';

export interface StaleInput {
  name: string;
  responsive: boolean;
  inRoster: boolean;
  /** The ping timeout, for the first reason. */
  timeoutS: number;
  process?: { host: string; pid: number; state: string } | null;
  /** An SSH host that should run this worker was queried successfully. */
  processLookedUp: boolean;
  container?: { name: string; status: string; exit_code: number | null; oom_killed: boolean } | null;
  containerLookedUp: boolean;
  /**
   * Why a source that should know this worker could not be read (SSH host or Docker engine down).
   * Set it whenever a configured lookup failed: it is what keeps a worker from being called gone.
   */
  hostUnreachable?: string | null;
  /** null: no heartbeat heard in the listen window. */
  heartbeat?: { age_s: number; freq: number | null } | null;
  /** How long we listened to celeryev; 0 = not listened, heartbeats unknown. */
  listenedS: number;
  /** The process is connected to a different broker (from its stats or command line). */
  brokerMismatch?: string | null;
  unacked?: { count: number; oldest_age_s: number | null } | null;
  visibilityTimeoutS: number;
}

export interface StaleVerdict {
  state: StaleStateName;
  reasons: string[];
  severity: 'ok' | 'warning' | 'critical';
}

// Celery calls a worker offline once 2 × freq passes without a beat (its expire window of 200 %);
// one more second covers transit and rounding.
const DEFAULT_FREQ_S = 2;
const lateAfter = (freq: number) => 2 * freq + 1;

export function staleState(input: StaleInput): StaleVerdict {
  const hb = heartbeatNote(input.heartbeat ?? null, input.listenedS);
  if (input.responsive) {
    // It answered, so any heartbeat problem is a warning: events off, or a struggling event loop.
    if (hb.stopped && input.heartbeat) return verdict('degraded', [hb.text!]);
    if (hb.stopped) return verdict('degraded', [`${hb.text} although it answered ping (started with --without-heartbeat?)`]);
    return verdict('healthy', []);
  }
  const reasons = [`no ping reply in ${input.timeoutS.toFixed(1)} s`];
  const state = silentState(input, hb, reasons);
  const held = unackedNote(input.unacked ?? null, input.visibilityTimeoutS);
  if (held) reasons.push(held);
  return verdict(state, reasons);
}

function silentState(input: StaleInput, hb: HeartbeatNote, reasons: string[]): StaleStateName {
  const p = input.process ?? null;
  const c = input.container ?? null;
  const letter = p?.state.trim().charAt(0) ?? '';
  const where = p ? `process ${p.pid} on ${p.host}` : null;
  // A known cause (stopped, restarting, other broker, host down) explains the silence by itself.
  let explained = false;
  let alive: string | null = null;
  if (p && where) {
    if (letter === 'T' || letter === 't') {
      reasons.push(`${where} is stopped (${letter})`);
      reasons.push('a stopped worker may hold one message that is in neither its queue nor unacked: continue it (SIGCONT) before killing it');
      explained = true;
    } else if (letter === 'D') {
      reasons.push(`${where} is in uninterruptible sleep (D), waiting on I/O`);
      explained = true;
    } else if (letter === 'Z' || letter === 'X') {
      reasons.push(`${where} has exited (${letter})`);
    } else {
      alive = `${where} is alive (${letter || '?'})`;
    }
  }
  if (input.brokerMismatch) {
    reasons.push(`${where ?? 'its process'} talks to another broker: ${input.brokerMismatch}`);
    explained = true;
  }
  if (c) {
    if (c.status === 'running') alive ??= `container ${c.name} is running`;
    else {
      reasons.push(containerText(c));
      explained = true;
    }
  }
  if (input.hostUnreachable) {
    reasons.push(`host unreachable: ${input.hostUnreachable}`);
    explained = true;
  }
  if (hb.stopped === false) {
    // Beats prove the worker runs somewhere, so it cannot be gone, whatever the other sources say.
    reasons.push(`${hb.text}: its event loop runs, but its mailbox does not answer`);
    return 'unresponsive';
  }
  if (explained) {
    if (hb.stopped) reasons.push(hb.text!);
    return 'unresponsive';
  }
  if (alive) {
    if (!hb.stopped) {
      reasons.push(alive);
      return 'unresponsive';
    }
    reasons.push(alive, `${hb.text}: hung (its heartbeat stopped while its process exists)`);
    return 'stale';
  }
  if (!input.inRoster) {
    reasons.push('not in the roster, and no process or container found');
    return 'unresponsive';
  }
  if (input.processLookedUp && !p) reasons.push('no worker process on its SSH host');
  if (input.containerLookedUp && !c) reasons.push('no container runs it');
  if (!input.processLookedUp && !input.containerLookedUp && !p) reasons.push('only the broker could be checked (no --ssh or --docker source covers it)');
  if (hb.stopped) reasons.push(hb.text!);
  reasons.push('its roster entry is a ghost left by a worker that died hard');
  return 'gone';
}

function containerText(c: NonNullable<StaleInput['container']>): string {
  const code = c.exit_code === null ? '' : ` (exit code ${c.exit_code}${c.oom_killed ? ', OOM-killed' : ''})`;
  if (c.status === 'restarting') return `container ${c.name} is restarting${code}`;
  if (c.status === 'exited' || c.status === 'dead') return `container ${c.name} has ${c.status === 'dead' ? 'died' : 'exited'}${code}`;
  if (c.status === 'created') return `container ${c.name} was created but never started`;
  return `container ${c.name} is ${c.status}${code}`;
}

export function staleSeverity(state: StaleStateName): StaleVerdict['severity'] {
  if (state === 'healthy') return 'ok';
  return state === 'degraded' ? 'warning' : 'critical';
}

function verdict(state: StaleStateName, reasons: string[]): StaleVerdict {
  return { state, reasons, severity: staleSeverity(state) };
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
