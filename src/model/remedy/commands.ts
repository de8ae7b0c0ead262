// Pure: the one builder of every printed command. Each step becomes the line an engineer types
// and where to type it; every value from the fleet is shell-quoted, pids are checked integers.
import { shellJoin, shellQuote } from '../../util/shell.js';
import { sshWhere } from '../../util/ssh-target.js';
import type { Remedy, Step, Where } from './steps.js';

/** Where the docker CLI looks without -H: its commands need no -H for this engine. */
export const DEFAULT_DOCKER_ENDPOINT = 'unix:///var/run/docker.sock';

export interface RemedyOptions {
  /** The broker URL as printed (password masked). */
  brokerDisplay: string;
  /** kombu's global_keyprefix, for the roster key. */
  keyPrefix?: string;
  /** --ssh-config, so printed ssh commands reach the host the same way. */
  sshConfig?: string | null;
}

/** The steps as typed commands, in order. A wait followed by a signal reads "if it is still there". */
export function remedies(steps: Step[], o: RemedyOptions): Remedy[] {
  const out: Remedy[] = [];
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    const next = steps[i + 1];
    if (s.kind === 'wait-gone' && next?.kind === 'signal' && safePids(next.pids).length) {
      const pids = safePids(next.pids);
      out.push(at({ kind: 'ssh', target: next.target }, `sleep ${s.seconds}; kill -0 ${pids[0]} 2>/dev/null && kill -${next.signal} ${pids.join(' ')}`, o));
      i++;
      continue;
    }
    const r = one(s, o);
    if (r) out.push(r);
  }
  return out;
}

/** Each remedy as one line to paste at a local prompt (ssh ones carry their ssh prefix). */
export function printable(steps: Step[], o: RemedyOptions): string[] {
  return remedies(steps, o).map((r) => (r.where.startsWith('ssh ') ? `${r.where} ${sshCommand(r.command)}` : r.command));
}

// ssh joins its arguments with spaces and the host's shell parses them again: a command of more
// than plain words and spaces goes as one quoted argument, or its quotes would be lost on the way.
const PLAIN = /^[A-Za-z0-9_@%+=:,./ -]*$/;
const sshCommand = (command: string) => (PLAIN.test(command) ? command : shellQuote(command));

function one(s: Step, o: RemedyOptions): Remedy | null {
  switch (s.kind) {
    case 'broker-shutdown':
      return at({ kind: 'here' }, shellJoin(['celery', '-b', o.brokerDisplay, 'control', 'shutdown', '-d', s.name]), o);
    case 'wait-gone':
      return null;
    case 'signal': {
      // Never print `kill 0` or `kill -1`: those signal whole process groups.
      const pids = safePids(s.pids);
      return pids.length ? at({ kind: 'ssh', target: s.target }, `kill -${s.signal} ${pids.join(' ')}`, o) : null;
    }
    case 'docker-stop':
      return at({ kind: 'docker', engine: s.engine }, `${dockerCli(s.engine)} stop -t ${s.seconds} ${shellQuote(s.name)}`, o);
    case 'docker-rm':
      return at({ kind: 'docker', engine: s.engine }, `${dockerCli(s.engine)} rm ${shellQuote(s.name)}`, o);
    case 'docker-logs':
      return at({ kind: 'docker', engine: s.engine }, `${dockerCli(s.engine)} logs --tail ${s.lines} ${shellQuote(s.name)}`, o);
    case 'remove-binding':
      return at({ kind: 'here' }, `redis-cli -u ${shellQuote(o.brokerDisplay)} SREM ${shellQuote(`${o.keyPrefix ?? ''}_kombu.binding.celery.pidbox`)} ${bindingMember(s.name)}`, o);
    case 'start': {
      const line = shellJoin(s.argv);
      // -A app.tasks imports relative to the directory it was started in.
      return at({ kind: 'ssh', target: s.target }, s.cwd && s.cwd !== '/' ? `cd ${shellQuote(s.cwd)} && ${line}` : line, o);
    }
    case 'compose-command':
      return at({ kind: 'file', place: `${s.place}, service ${s.service}: command` }, s.argv ? shellJoin(s.argv) : `-n ${shellQuote(s.name)}`, o);
    case 'compose-up':
      return at({ kind: 'docker', engine: s.engine }, shellJoin([...composeWords(s.engine, s.project, s.files, s.workingDir), 'up', '-d', '--force-recreate', s.service]), o);
    case 'fleetdoc-kill':
      // A name from the fleet that reads as an option (--incompatible) must stay a name.
      return at({ kind: 'here' }, shellJoin(s.names.some((n) => n.startsWith('-')) ? ['fleetdoc', 'kill', '--yes', '--', ...s.names] : ['fleetdoc', 'kill', ...s.names, '--yes']), o);
    case 'broker-config':
      return at({ kind: 'broker' }, shellJoin(['redis-cli', 'CONFIG', 'SET', s.setting, s.value]), o);
    case 'advice':
      return at(s.where, shellJoin(s.argv), o);
    case 'supervisor-stop':
      return at({ kind: 'ssh', target: s.target }, shellJoin(s.argv), o);
    case 'config-line':
      return at({ kind: 'file', place: s.place }, s.line, o);
    case 'unit-restart': {
      const ctl = s.user ? ['systemctl', '--user'] : ['systemctl'];
      return at({ kind: 'ssh', target: s.target }, `${shellJoin([...ctl, 'daemon-reload'])} && ${shellJoin([...ctl, 'restart', s.unit])}`, o);
    }
  }
}

function at(where: Where, command: string, o: RemedyOptions): Remedy {
  return { where: whereLabel(where, o), command };
}

export function whereLabel(w: Where, o: RemedyOptions): string {
  switch (w.kind) {
    case 'here': return 'here';
    case 'broker': return 'broker';
    case 'ssh': return sshWhere(w.target, o.sshConfig ?? null);
    case 'docker': return `docker ${w.engine}`;
    case 'file': return w.place;
  }
}

function safePids(pids: number[]): number[] {
  return pids.filter((p) => Number.isSafeInteger(p) && p > 1);
}

/** `docker`, with -H for any engine but the one the CLI reaches by default. */
export function dockerWords(engine: string): string[] {
  return engine === DEFAULT_DOCKER_ENDPOINT ? ['docker'] : ['docker', '-H', engine];
}

/** `docker compose` for a project, with its files (or its directory) so it works from anywhere. */
export function composeWords(engine: string, project: string, files: string[], workingDir: string | null): string[] {
  const words = [...dockerWords(engine), 'compose', '-p', project, ...files.flatMap((f) => ['-f', f])];
  if (!files.length && workingDir) words.push('--project-directory', workingDir);
  return words;
}

function dockerCli(engine: string): string {
  return shellJoin(dockerWords(engine));
}

/** The roster member in bash's $'…' form, since it holds the \x06\x16 separator bytes. */
export function bindingMember(name: string): string {
  const escaped = `${name}.celery.pidbox`
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/[\x00-\x1f\x7f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `$'\\x06\\x16\\x06\\x16${escaped}'`;
}
