// A Celery worker's command line, from a container's Cmd/Entrypoint or from
// `ps`: which app, node name, queues and concurrency it starts with, and how
// to rewrite its node name. Pure, and never throws on hostile input.
import { tokenizeShell } from '../../util/shell.js';
import { parseInvocation, type CeleryWorkerArgs } from './celery-options.js';

export { splitShellWords } from '../../util/shell.js';
export type { CeleryWorkerArgs } from './celery-options.js';

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);
// Commands that mention `celery worker` without running it.
const NOT_RUNNERS = new Set([
  'echo', 'printf', 'logger', 'test', '[', '[[', 'cd', 'mkdir', 'rm', 'cp', 'mv', 'ln', 'cat', 'ls',
  'touch', 'chown', 'chmod', 'grep', 'sed', 'awk', 'sleep', 'export', 'unset', 'set', 'true', 'false', ':',
]);
// Shell words that may precede a command in a segment (`then exec celery …`).
const KEYWORDS = new Set(['then', 'do', 'else', '{', '!', 'time']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
const MAX_DEPTH = 4; // sh -c "sh -c '...'" nesting we follow
// Celery or shell words tried in one whole parse, so hostile argv (10k `celery`
// words, nested sh -c strings) stays linear.
const MAX_ATTEMPTS = 32;

interface Budget {
  attempts: number;
}

const basename = (word: string): string => word.slice(word.lastIndexOf('/') + 1);

/** The worker invocation in `argv`, or null when it does not start a Celery worker. */
export function parseCeleryWorker(argv: string[]): CeleryWorkerArgs | null {
  try {
    if (!Array.isArray(argv) || !argv.every((w) => typeof w === 'string')) return null;
    return parseCommand(argv, 0, { attempts: MAX_ATTEMPTS });
  } catch {
    return null;
  }
}

// One simple command. Wrappers (exec, env, nice, tini, gosu, an entrypoint
// script...) are looked through by scanning for the first word that starts
// Celery, or a shell whose -c string does.
function parseCommand(words: string[], depth: number, budget: Budget): CeleryWorkerArgs | null {
  const first = words.find((w) => !ASSIGNMENT.test(w) && !KEYWORDS.has(w));
  if (first === undefined || NOT_RUNNERS.has(basename(first))) return null;
  for (let j = 0; j < words.length && budget.attempts > 0; j++) {
    const w = words[j];
    if (w.startsWith('-') || ASSIGNMENT.test(w)) continue;
    const name = basename(w);
    if (SHELLS.has(name) || name === 'su') {
      budget.attempts--;
      const script = shellScript(words, j);
      if (script === null) continue;
      if (depth < MAX_DEPTH) {
        const found = parseScript(words[script], depth + 1, budget);
        if (found) return found;
      }
      j = script; // `sh -c 'exec "$@"' sh celery worker`: keep scanning after it
      continue;
    }
    const start = celeryArgsStart(words, j);
    if (start < 0) continue;
    budget.attempts--;
    const found = parseInvocation(words.slice(j), start - j);
    if (found) return found.args;
  }
  return null;
}

/** Index of the -c command string after a shell (or su) at `j`, or null. */
function shellScript(words: string[], j: number): number | null {
  if (basename(words[j]) === 'su') {
    // su [options] [user] -c command: the user may come before -c.
    const k = words.findIndex((w, i) => i > j && (w === '-c' || w === '--command'));
    return k > 0 && k + 1 < words.length ? k + 1 : null;
  }
  let wantsScript = false;
  for (let k = j + 1; k < words.length; k++) {
    const w = words[k];
    if (w === '--') return wantsScript && k + 1 < words.length ? k + 1 : null;
    if (w === '-c') {
      if (k + 1 >= words.length) return null;
      wantsScript = true;
      continue;
    }
    if (w === '-o' || w === '+o' || w === '-O' || w === '+O') {
      k++; // takes a value
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(w)) {
      if (w.includes('c')) wantsScript = true; // -lc, -ec, -xec
      continue;
    }
    if (w.startsWith('--')) continue;
    return wantsScript ? k : null;
  }
  return null;
}

// The first `&&` / `;` / `|` / newline segment of a shell string that starts a worker.
function parseScript(script: string, depth: number, budget: Budget): CeleryWorkerArgs | null {
  const tokens = tokenizeShell(script, true);
  if (tokens === null) return null;
  let segment: string[] = [];
  for (let i = 0; i <= tokens.length && budget.attempts > 0; i++) {
    const t = tokens[i];
    if (t === undefined || t.op) {
      if (segment.length > 0) {
        const found = parseCommand(segment, depth, budget);
        if (found) return found;
      }
      segment = [];
    } else segment.push(t.text);
  }
  return null;
}

/**
 * When `words[j]` starts Celery, the index of Celery's first own argument:
 * j+1 for `…/celery`, after the module or script for `python -m celery` and
 * `python /usr/bin/celery`. -1 otherwise.
 */
function celeryArgsStart(words: string[], j: number): number {
  const head = basename(words[j]);
  if (head === 'celery') return j + 1;
  if (!/^(?:python|pypy)[0-9.]*m?$/.test(head)) return -1;
  for (let k = j + 1; k < words.length; k++) {
    const w = words[k];
    if (w.startsWith('--')) {
      if (w === '--check-hash-based-pycs') k++;
      continue;
    }
    if (!w.startsWith('-') || w === '-') return basename(w) === 'celery' ? k + 1 : -1;
    // A cluster of short options such as -u, -OO, -W ignore, -um celery.
    for (let c = 1; c < w.length; c++) {
      const opt = w[c];
      if (opt === 'c') return -1; // python -c '…' runs code, not Celery
      if (opt === 'm' || opt === 'W' || opt === 'X') {
        const rest = w.slice(c + 1);
        const value = rest !== '' ? rest : words[k + 1];
        if (rest === '') k++;
        if (opt === 'm') return value === 'celery' || value === 'celery.__main__' ? k + 1 : -1;
        break;
      }
    }
  }
  return -1;
}

/**
 * The node name Celery derives from a -n template on a machine called
 * `hostname`, as `host_format(default_nodename(template))` does in Celery 5:
 * the template is split at its first `@`; with no `@` the whole template is
 * the *host* part and the name is `celery` (so `-n worker1` gives
 * `celery@worker1`); an empty part falls back to `celery` / the hostname.
 * Then `%h` is the full hostname, `%n` the part before its first dot, `%d`
 * the part after it, `%i` '0' and `%I` '' (the main process). Like Celery's
 * `%(\w)` pattern, `%%` is not an escape (`%%h` gives `%` + hostname);
 * unknown keys, which make Celery refuse to start, are left as written.
 */
export function expandNodeName(template: string | null, hostname: string): string {
  const t = typeof template === 'string' ? template : '';
  const host = typeof hostname === 'string' ? hostname : '';
  const at = t.indexOf('@');
  const name = at < 0 ? '' : t.slice(0, at);
  const hostPart = at < 0 ? t : t.slice(at + 1);
  const node = `${name || 'celery'}@${hostPart || host}`;
  const dot = host.indexOf('.');
  const keys: Record<string, string> = {
    h: host,
    n: dot < 0 ? host : host.slice(0, dot),
    d: dot < 0 ? '' : host.slice(dot + 1),
    i: '0',
    I: '',
  };
  return node.replace(/%([\p{L}\p{N}_])/gu, (whole, key: string) => keys[key] ?? whole);
}

/**
 * A copy of `args.argv` starting the worker as `newTemplate`: the -n value is
 * replaced in the style it was written in, or `-n <newTemplate>` is inserted
 * right after `worker`. Every other word is kept as it was.
 */
export function rewriteWorkerName(args: CeleryWorkerArgs, newTemplate: string): string[] {
  const argv = [...args.argv];
  const i = args.nameIndex;
  if (i !== null && i >= 0 && i < argv.length && args.nameStyle !== null) {
    const word = argv[i];
    const old = args.hostname ?? '';
    if (args.nameStyle === 'separate') argv[i] = newTemplate;
    else if (word.endsWith(old)) argv[i] = word.slice(0, word.length - old.length) + newTemplate;
    else if (args.nameStyle === 'joined-eq') argv[i] = word.slice(0, word.indexOf('=') + 1) + newTemplate;
    else argv[i] = `-n${newTemplate}`;
    return argv;
  }
  argv.splice(workerWordIndex(argv) + 1, 0, '-n', newTemplate);
  return argv;
}

function workerWordIndex(argv: string[]): number {
  const start = argv.length > 0 ? celeryArgsStart(argv, 0) : -1;
  const parsed = start >= 0 ? parseInvocation(argv, start) : null;
  if (parsed) return parsed.workerIndex;
  const plain = argv.indexOf('worker');
  return plain >= 0 ? plain : argv.length - 1;
}
