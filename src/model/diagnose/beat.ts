// Pure: `celery beat` schedulers found on SSH hosts and in containers, and the beat check. Two
// schedulers on one broker send every periodic task twice; keep one, stop the rest.
import { brokerAddress } from '../../util/broker-address.js';
import { maskSecretUrl } from '../../util/redact.js';
import { splitShellWords } from '../../util/shell.js';
import { sameBroker } from '../verdict/broker-match.js';
import { brokerOption } from '../worker/broker-evidence.js';
import { parseCeleryWorker } from '../worker/celery-argv.js';
import { WORKER_SHORT } from '../worker/celery-options.js';
import type { OurBroker } from '../verdict/evidence.js';
import { finding, type Finding } from './findings.js';
import { remedies, type RemedyOptions } from '../remedy/commands.js';
import type { Step } from '../remedy/steps.js';

export interface BeatRecord {
  /** ssh: a process on `target`; docker: a container on engine `target`. */
  source: 'ssh' | 'docker';
  target: string;
  host: string;
  pid: number;
  container: { id: string; name: string } | null;
  command: string;
  /** The broker its -b/--broker argv or env names, password masked; null when neither says. */
  broker_url: string | null;
  broker_from: 'argv' | 'env' | null;
  elapsed_s: number | null;
  /** Set when the scheduler runs inside a worker started with -B: its name, and its argv without -B. */
  embedded?: { worker: string; restart: string[]; cwd: string | null } | null;
}

const GLOBAL_WITH_VALUE = new Set(['-A', '--app', '-b', '--broker', '--result-backend', '--loader', '--config', '--workdir']);
const basename = (w: string) => w.slice(w.lastIndexOf('/') + 1);

/** The broker named when argv starts `celery … beat` (directly, via python -m, or in sh -c); undefined when it does not. */
export function parseCeleryBeat(argv: string[], depth = 0): { broker: string | null } | undefined {
  if (!Array.isArray(argv) || depth > 2) return undefined;
  // With setproctitle, beat retitles itself `[celery beat] ARGS`.
  const joined = argv.join(' ');
  if (joined.startsWith('[celery beat]')) return { broker: brokerIn(joined.slice(13).split(/\s+/)) };
  for (let j = 0; j < argv.length && j < 64; j++) {
    const w = argv[j];
    if (/^(?:ba|da|z|k)?sh$/.test(basename(w)) && argv[j + 1] === '-c' && typeof argv[j + 2] === 'string') {
      const inner = splitShellWords(argv[j + 2]);
      const found = inner && parseCeleryBeat(inner.filter((x) => !['&&', ';', '|', '||'].includes(x)), depth + 1);
      if (found) return found;
      continue;
    }
    const isCelery = basename(w) === 'celery' || (w === '-m' && argv[j + 1] === 'celery');
    if (!isCelery) continue;
    let k = w === '-m' ? j + 2 : j + 1;
    while (k < argv.length) {
      const a = argv[k];
      if (GLOBAL_WITH_VALUE.has(a)) k += 2;
      else if (a.startsWith('-')) k++;
      else break;
    }
    if (argv[k] === 'beat') return { broker: brokerIn(argv.slice(j)) };
  }
  return undefined;
}

/** A worker started with -B/--beat runs a scheduler too: its broker and its argv without -B. */
export function embeddedBeat(argv: string[]): { broker: string | null; restart: string[] } | undefined {
  const args = parseCeleryWorker(argv);
  if (!args) return undefined;
  const at = args.argv.indexOf('worker');
  let found = false;
  const restart = args.argv.flatMap((w, i) => {
    if (i <= at) return [w];
    if (w === '--beat') { found = true; return []; }
    const cluster = /^-[A-Za-z]+$/.test(w) ? dropB(w) : w;
    if (cluster !== w) found = true;
    return cluster === '-' ? [] : [cluster];
  });
  return found ? { broker: brokerIn(args.argv), restart } : undefined;
}

// -B in a flag cluster (-BE, -EB); a value-taking letter ends the cluster (-lBEAT is a log level).
function dropB(w: string): string {
  let out = '-';
  for (let i = 1; i < w.length; i++) {
    if (WORKER_SHORT.has(w[i])) return out + w.slice(i);
    if (w[i] !== 'B') out += w[i];
  }
  return out;
}

function brokerIn(words: string[]): string | null {
  const url = brokerOption(words);
  return url !== null && url.trim() !== '' ? maskSecretUrl(url.trim()) : null;
}

export interface BeatCheck {
  findings: Finding[];
  evidence: string[];
}

export function beatCheck(beats: BeatRecord[], ours: OurBroker, o: RemedyOptions): BeatCheck {
  if (!beats.length) return { findings: [], evidence: ['no celery beat scheduler found (looked at the SSH hosts and Docker containers given)'] };
  const mine = beats.filter((b) => { const a = brokerAddress(b.broker_url); return a !== null && sameBroker(a, ours) === true; });
  const unnamed = beats.filter((b) => brokerAddress(b.broker_url) === null);
  const other = beats.filter((b) => !mine.includes(b) && !unnamed.includes(b));
  const evidence = beats.map((b) => `${label(b)}: ${b.broker_url ? `broker ${b.broker_url} (${b.broker_from})` : 'names no broker in argv or env'}`);
  const findings: Finding[] = [];
  if (mine.length > 1) findings.push(doubled(mine, 'critical', `${mine.length} celery beat schedulers on this broker: every periodic task is sent ${mine.length} times`, o));
  else if (unnamed.length > 1 || (mine.length === 1 && unnamed.length)) {
    const all = [...mine, ...unnamed];
    findings.push(doubled(all, 'warning', `${all.length} celery beat schedulers that may share this broker (${unnamed.length} name no broker; their app config decides): periodic tasks may be sent twice`, o));
  }
  if (other.length) evidence.push(`${other.length} on other brokers: not counted`);
  return { findings, evidence };
}

// Keep the one that has run longest (likely the intended one); stop the rest.
function doubled(beats: BeatRecord[], severity: 'critical' | 'warning', message: string, o: RemedyOptions): Finding {
  // A standalone scheduler is kept before one embedded in a worker (-B), which scales with the workers.
  const sorted = [...beats].sort((a, b) => Number(Boolean(a.embedded)) - Number(Boolean(b.embedded)) || (b.elapsed_s ?? 0) - (a.elapsed_s ?? 0) || a.pid - b.pid);
  const [keep, ...stop] = sorted;
  const steps: Step[] = stop.flatMap((b): Step[] => {
    if (b.container) return [{ kind: 'docker-stop', engine: b.target, id: b.container.id, name: b.container.name, seconds: 10 }];
    const term: Step = { kind: 'signal', target: b.target, signal: 'TERM', pids: [b.pid] };
    // An embedded scheduler goes with its worker: stop it, start it again without -B.
    return b.embedded ? [term, { kind: 'start', target: b.target, argv: b.embedded.restart, cwd: b.embedded.cwd }] : [term];
  });
  return finding('beat', severity, keep.broker_url ?? o.brokerDisplay, `${message}; keep ${label(keep)}, stop ${stop.map(label).join(', ')}`, remedies(steps, o), sorted.map((b) => `${label(b)}: ${b.command}`));
}

function label(b: BeatRecord): string {
  if (b.container) return `container ${b.container.name} (${b.target})`;
  return b.embedded ? `worker ${b.embedded.worker} (-B, pid ${b.pid} on ${b.host})` : `pid ${b.pid} on ${b.host}`;
}
