// SSH targets as users give them (--ssh): the destination and port, and the ssh line that reaches them.
import { shellJoin } from './shell.js';

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
