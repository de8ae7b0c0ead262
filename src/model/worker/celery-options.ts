// Celery's own options, global (`celery -A app …`) and `worker` ones, read the
// way click reads them: `--opt value`, `--opt=value`, `-ovalue`, and short
// flag clusters such as `-DE` or `-Bc4`.

export interface CeleryWorkerArgs {
  /** The celery invocation itself (from the celery/python word to the end of that segment). */
  argv: string[];
  /** -A/--app, before or after `worker`. */
  app: string | null;
  /** -n/--hostname raw template, e.g. 'main-v0.13.0@%h' (null = Celery's default). */
  hostname: string | null;
  /** -Q/--queues split on commas, trimmed, empties dropped. */
  queues: string[] | null;
  /** -c/--concurrency. */
  concurrency: number | null;
  /** -P/--pool as given (null = Celery's default, prefork). */
  pool: string | null;
  /** Index in argv of the word holding the name value (for rewriting). */
  nameIndex: number | null;
  /** `-n X`, `--hostname=X` / `-n=X`, `-nX`. */
  nameStyle: 'separate' | 'joined-eq' | 'joined-short' | null;
}

type NameStyle = NonNullable<CeleryWorkerArgs['nameStyle']>;

// Options that take a value; every other option is read as a flag.
const GLOBAL_LONG = new Set(['app', 'broker', 'result-backend', 'loader', 'config', 'workdir']);
const GLOBAL_SHORT = new Set(['A', 'b']);
const WORKER_LONG = new Set([
  ...GLOBAL_LONG, 'hostname', 'statedb', 'loglevel', 'prefetch-multiplier', 'concurrency', 'pool',
  'time-limit', 'soft-time-limit', 'max-tasks-per-child', 'max-memory-per-child', 'queues',
  'exclude-queues', 'include', 'heartbeat-interval', 'autoscale', 'schedule-filename', 'schedule',
  'scheduler', 'logfile', 'pidfile', 'uid', 'gid', 'umask', 'executable',
]);
/** The worker's short options that take a value: in a flag cluster (`-Ec4`) one ends the cluster. */
export const WORKER_SHORT: ReadonlySet<string> = new Set([...GLOBAL_SHORT, 'n', 'S', 'l', 'O', 'c', 'P', 'Q', 'X', 'I', 's', 'f']);

/**
 * Reads `inv` (inv[0] is the celery or python word, Celery's own arguments
 * start at `start`). Null unless the subcommand is `worker`. Later
 * occurrences of an option win, as with click.
 */
export function parseInvocation(inv: string[], start: number): { args: CeleryWorkerArgs; workerIndex: number } | null {
  const args: CeleryWorkerArgs = {
    argv: inv, app: null, hostname: null, queues: null, concurrency: null, pool: null, nameIndex: null, nameStyle: null,
  };
  let workerIndex = -1;
  const set = (opt: string, value: string, index: number, style: NameStyle) => {
    if (opt === 'A' || opt === 'app') args.app = value;
    if (workerIndex < 0) return; // worker options only count after `worker`
    if (opt === 'n' || opt === 'hostname') {
      args.hostname = value;
      args.nameIndex = index;
      args.nameStyle = style;
    } else if (opt === 'Q' || opt === 'queues') {
      args.queues = value.split(',').map((q) => q.trim()).filter((q) => q !== '');
    } else if (opt === 'P' || opt === 'pool') {
      args.pool = value;
    } else if (opt === 'c' || opt === 'concurrency') {
      args.concurrency = /^\s*\d{1,9}\s*$/.test(value) ? Number(value) : null;
    }
  };
  let k = start;
  while (k < inv.length) {
    const w = inv[k];
    const inWorker = workerIndex >= 0;
    if (w === '--') {
      if (inWorker) break; // the rest are positional
      k++;
    } else if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const opt = eq < 0 ? w.slice(2) : w.slice(2, eq);
      if (eq >= 0) {
        set(opt, w.slice(eq + 1), k, 'joined-eq');
        k++;
      } else if ((inWorker ? WORKER_LONG : GLOBAL_LONG).has(opt)) {
        if (k + 1 < inv.length) set(opt, inv[k + 1], k + 1, 'separate');
        k += 2;
      } else k++;
    } else if (w.startsWith('-') && w.length > 1) {
      k += readShortCluster(inv, k, inWorker ? WORKER_SHORT : GLOBAL_SHORT, set);
    } else if (!inWorker) {
      if (w !== 'worker') return null; // beat, inspect, flower, multi…
      workerIndex = k;
      k++;
    } else k++; // a stray positional after `worker`; Celery ignores it too
  }
  return workerIndex < 0 ? null : { args, workerIndex };
}

// `-DE`, `-c4`, `-Bc 4`, `-n=x` (read as value `x`). Returns words consumed.
function readShortCluster(
  inv: string[],
  k: number,
  withValue: ReadonlySet<string>,
  set: (opt: string, value: string, index: number, style: NameStyle) => void,
): number {
  const w = inv[k];
  for (let c = 1; c < w.length; c++) {
    const opt = w[c];
    if (!withValue.has(opt)) continue; // a flag such as -D, -E, -B, -q
    const rest = w.slice(c + 1);
    if (rest.startsWith('=')) set(opt, rest.slice(1), k, 'joined-eq');
    else if (rest !== '') set(opt, rest, k, 'joined-short');
    else if (k + 1 < inv.length) {
      set(opt, inv[k + 1], k + 1, 'separate');
      return 2;
    } else return 1;
    return 1;
  }
  return 1;
}
