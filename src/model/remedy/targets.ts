// Pure: which workers a `kill` invocation means. A compatible, responsive worker, a worker of another
// broker, and one whose silence has no evidence behind it are hit only when named exactly.
import type { Worker } from '../types.js';

export type Selector = 'incompatible' | 'unversioned' | 'mismatched' | 'stale';

export interface Selection {
  target: string;
  worker: Worker | null;
  /** How it was chosen: exact name, glob, container:…, host:pid or a selector. */
  how: 'name' | 'glob' | 'container' | 'pid' | Selector;
  /** Set when the target matched nothing usable. */
  problem: string | null;
}

export function selectTargets(workers: Worker[], targets: string[], selectors: Selector[]): Selection[] {
  const out: Selection[] = [];
  const seen = new Set<Worker>();
  const push = (s: Selection) => {
    if (s.worker && seen.has(s.worker)) return;
    if (s.worker) seen.add(s.worker);
    out.push(s);
  };
  for (const t of targets) {
    const exact = workers.filter((w) => w.name === t && !w.duplicate_of);
    if (exact.length) {
      exact.forEach((w) => push({ target: t, worker: w, how: 'name', problem: null }));
      continue;
    }
    if (t.startsWith('container:')) {
      // As docker does: a whole name, else an id prefix that names one container only.
      const ref = t.slice('container:'.length);
      const named = workers.filter((x) => x.container?.name === ref);
      const byId = ref ? workers.filter((x) => x.container?.id.startsWith(ref)) : [];
      const ids = new Set(byId.map((x) => x.container!.id));
      const w = named[0] ?? (ids.size === 1 ? byId[0] : undefined);
      const problem = w ? null : !ref ? 'container: needs a name or an id' : ids.size > 1 ? `container id prefix ${ref} matches ${ids.size} containers: give more of it` : `no worker container ${ref}`;
      push({ target: t, worker: w ?? null, how: 'container', problem });
      continue;
    }
    const hostPid = /^(.+):(\d+)$/.exec(t);
    if (hostPid) {
      const [, host, pid] = hostPid;
      const w = workers.find((x) => x.process && x.process.pid === Number(pid) && (x.process.target === host || x.process.host === host));
      push({ target: t, worker: w ?? null, how: 'pid', problem: w ? null : `no Celery worker process ${pid} on ${host}` });
      continue;
    }
    if (/[*?[]/.test(t)) {
      const re = globToRegExp(t);
      const hits = workers.filter((w) => re.test(w.name) && !protectedWorker(w));
      if (!hits.length) push({ target: t, worker: null, how: 'glob', problem: `${t} matches no incompatible or unresponsive worker of this broker` });
      hits.forEach((w) => push({ target: t, worker: w, how: 'glob', problem: null }));
      continue;
    }
    push({ target: t, worker: null, how: 'name', problem: `no worker named ${t}` });
  }
  for (const sel of selectors) {
    for (const w of workers) {
      if (protectedWorker(w)) continue;
      if (matches(w, sel)) push({ target: `--${sel}`, worker: w, how: sel, problem: null });
    }
  }
  return out;
}

/**
 * Never hit by a glob or a selector: compatible and answering; on another broker; or silent with no
 * evidence of why (silence alone never plans a kill).
 */
export function protectedWorker(w: Worker): boolean {
  return (w.compatible && w.responsive) || !w.verdict.actionable;
}

function matches(w: Worker, sel: Selector): boolean {
  if (sel === 'incompatible') return !w.compatible;
  if (sel === 'unversioned') return w.status === 'unversioned';
  if (sel === 'mismatched') return w.status === 'mismatched';
  const v = w.verdict;
  return (v.state === 'unresponsive' || v.state === 'stale' || v.state === 'gone') && v.severity === 'critical';
}

/** Shell-style glob (`*`, `?`, `[…]`) over the whole name. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}
