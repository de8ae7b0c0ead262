// Pure: is a worker's release the server's? Unversioned counts as incompatible.
import { parseWorkerName } from './name.js';
import type { Drift, ParsedName, Reason, Status } from '../types.js';
import { compareVersions, parseVersion, satisfiesRange } from './version.js';

export interface Policy {
  /** The server's release, or null when nothing tells it. */
  serverVersion: string | null;
  /** A semver range of accepted releases; null = exactly the server version. */
  compatible: string | null;
}

export interface Classification {
  status: Status;
  drift: Drift;
  compatible: boolean;
  reason: Reason;
  reason_detail: string | null;
}

export function classify(parsed: ParsedName, policy: Policy): Classification {
  const v = parsed.version;
  if (v === null) {
    return { status: 'unversioned', drift: null, compatible: false, reason: 'no_version_tag', reason_detail: 'the worker name carries no -v<version> tag' };
  }
  const mismatch = (detail: string, drift: Drift = null): Classification => ({
    status: 'mismatched', drift, compatible: false, reason: 'version_mismatch', reason_detail: detail,
  });
  const parsedV = parseVersion(v);
  if (!parsedV.ok) return mismatch(`version ${JSON.stringify(v)} cannot be parsed (${parsedV.why}), so it is treated as mismatched`);
  const server = policy.serverVersion;
  const order = server === null ? null : compareVersions(v, server);
  const drift: Drift = order === null || order === 0 ? null : order > 0 ? 'ahead' : 'behind';
  if (policy.compatible) {
    const sat = satisfiesRange(v, policy.compatible);
    if (sat.ok) return { status: 'compatible', drift, compatible: true, reason: null, reason_detail: null };
    return mismatch(sat.why ?? `${v} is outside the accepted range ${policy.compatible}`, drift);
  }
  if (server === null) return mismatch('no server version is known to compare with');
  if (order === 0) return { status: 'compatible', drift: null, compatible: true, reason: null, reason_detail: null };
  if (order === null) return mismatch(`server version ${JSON.stringify(server)} cannot be parsed`);
  return mismatch(`${v} is ${drift} of the server's ${server}`, drift);
}


export interface AssumedVersion {
  /** The version to compare with, or null when no worker name carries one. */
  version: string | null;
  /** Why this one, for the info line. */
  why: string;
}

/** PEP 440 pre-releases and dev builds (and semver pre-releases); post-releases are releases. */
export function isPreRelease(version: string): boolean {
  const p = parseVersion(version);
  if (!p.ok) return false;
  const pre = /^\d+\.\d+\.\d+-([^+]*)/.exec(p.semver)?.[1];
  return pre !== undefined && !/^0\.0\.post\.\d+$/.test(pre);
}

/**
 * The server version to assume when none is given. One nightly must not mark every release worker
 * mismatched: only releases count, unless nothing but pre-releases is seen. Among several, the one
 * most responsive workers run wins (all workers when none answers); a tie goes to the newest.
 */
export function inferServerVersion(workers: { name: string; responsive: boolean }[]): AssumedVersion {
  const seen = new Map<string, { all: number; responsive: number }>();
  for (const w of workers) {
    const v = parseWorkerName(w.name).version;
    if (v === null || !parseVersion(v).ok) continue;
    const n = seen.get(v) ?? { all: 0, responsive: 0 };
    n.all++;
    if (w.responsive) n.responsive++;
    seen.set(v, n);
  }
  if (!seen.size) return { version: null, why: 'no worker name carries a version' };
  const releases = [...seen.keys()].filter((v) => !isPreRelease(v));
  const pool = releases.length ? releases : [...seen.keys()];
  const skipped = releases.length ? [...seen.keys()].filter(isPreRelease) : [];
  const note = skipped.length ? `; pre-releases not counted: ${skipped.sort().join(', ')}` : '';
  const kind = releases.length ? 'release' : 'pre-release';
  if (pool.length === 1) return { version: pool[0], why: `the only ${kind} seen among the workers${note}` };
  const anyResponsive = pool.some((v) => seen.get(v)!.responsive > 0);
  const weight = (v: string) => (anyResponsive ? seen.get(v)!.responsive : seen.get(v)!.all);
  const ranked = [...pool].sort((a, b) => weight(b) - weight(a) || (compareVersions(b, a) ?? 0));
  const [best, next] = ranked;
  const who = anyResponsive ? 'responsive workers' : 'workers (none answered)';
  const total = pool.reduce((sum, v) => sum + weight(v), 0);
  const how = weight(best) === weight(next)
    ? `the newest of the ${kind}s run by the most ${who}`
    : `the ${kind} most ${who} run`;
  return { version: best, why: `${how} (${weight(best)} of ${total}; also seen: ${ranked.slice(1).join(', ')}${note})` };
}
