// The fix guide's commands for one worker process on an SSH host: stop it,
// force it when it cannot stop itself, and start it again under the versioned
// name with every other argument kept. Pure.
//
// Every value that came from the fleet (names, arguments, directories) is
// shell-quoted, so a worker named `x;touch /tmp/p@h` prints as one quoted word
// and can never run as a second command.
import { shellJoin, shellQuote } from '../util/shell.js';
import { parseCeleryWorker, rewriteWorkerName } from './celery-argv.js';
import { parseWorkerName, versionedName } from './name.js';
import type { ProcessRecord } from './types.js';

export interface RemediationStep {
  /** Where to type it, e.g. `ssh -p 2201 127.0.0.21`. */
  where: string;
  command: string;
}

/** Seconds a hung worker gets to act on TERM before KILL. */
export const GRACE_S = 10;

export function processRemediation(
  p: ProcessRecord,
  opts: { serverVersion: string | null; hung: boolean; sshConfig?: string | null },
): RemediationStep[] {
  const commands: string[] = [];
  // Never print `kill 0` or `kill -1`: those signal whole process groups.
  if (Number.isSafeInteger(p.pid) && p.pid > 1) {
    const pids = [p.pid, ...p.children.filter((c) => Number.isSafeInteger(c) && c > 1)].join(' ');
    if (p.state === 'T') commands.push(`kill -9 ${pids}`); // TERM stays pending while it is stopped
    else {
      commands.push(`kill ${p.pid}`);
      if (opts.hung) commands.push(`sleep ${GRACE_S}; kill -0 ${p.pid} 2>/dev/null && kill -9 ${pids}`);
    }
  }
  const start = opts.serverVersion ? startLine(p, opts.serverVersion) : null;
  if (start) commands.push(start);
  const where = sshWhere(p.target, opts.sshConfig ?? null);
  return commands.map((command) => ({ where, command }));
}

/**
 * The worker's own command with its -n replaced by the versioned name. The
 * name keeps its host part as written (`%h` stays `%h`); with no -n, Celery's
 * default `celery@%h` is what gets versioned.
 */
export function startLine(p: ProcessRecord, version: string): string | null {
  const args = parseCeleryWorker(p.argv);
  if (!args) return null;
  const fromName = p.worker_name.includes('@') ? `${p.worker_name.slice(0, p.worker_name.indexOf('@'))}@%h` : null;
  const template = args.hostname ?? fromName ?? 'celery@%h';
  const at = template.indexOf('@');
  const name = at < 0 ? '' : template.slice(0, at);
  const host = at < 0 ? template : template.slice(at + 1);
  const next = versionedName(parseWorkerName(`${name || 'celery'}@`), version, host || '%h');
  const line = shellJoin(rewriteWorkerName(args, next));
  // -A app.tasks imports relative to the directory it was started in.
  return p.cwd && p.cwd !== '/' ? `cd ${shellQuote(p.cwd)} && ${line}` : line;
}

/** The ssh command line that reaches `target`, as an engineer would type it. */
export function sshWhere(target: string, config: string | null = null): string {
  const { host, port } = splitSshTarget(target);
  return shellJoin(['ssh', ...(config ? ['-F', config] : []), ...(port !== null ? ['-p', String(port)] : []), host]);
}

/**
 * A --ssh target as ssh's destination and port: `host:port`, `user@host:port`
 * and `[v6]:port` give a port; a bare IPv6 address (two or more colons), an
 * alias, `user@host` and `ssh://` URLs pass through as written.
 */
export function splitSshTarget(target: string): { host: string; port: number | null } {
  if (target.startsWith('ssh://')) return { host: target, port: null };
  const bracket = /^([^[\]]*)\[([^[\]]+)\](?::(\d+))?$/.exec(target);
  if (bracket) {
    const port = bracket[3] === undefined ? null : portOf(bracket[3]);
    if (bracket[3] !== undefined && port === null) return { host: target, port: null };
    return { host: bracket[1] + bracket[2], port };
  }
  const colon = target.indexOf(':');
  const port = colon > 0 && colon === target.lastIndexOf(':') ? portOf(target.slice(colon + 1)) : null;
  return port === null ? { host: target, port: null } : { host: target.slice(0, colon), port };
}

/** A TCP port number, or null when the text is not one. */
function portOf(text: string): number | null {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : 0;
  return n >= 1 && n <= 65535 ? n : null;
}
