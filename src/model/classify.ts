// Pure: is a worker's release the server's? Unversioned counts as incompatible.
import { parseWorkerName } from './name.js';
import type { Drift, ParsedName, Reason, Status } from './types.js';
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

/** The newest parseable version among worker names, used when no server version is given. */
export function newestVersion(names: string[]): string | null {
  let best: string | null = null;
  for (const name of names) {
    const v = parseWorkerName(name).version;
    if (v === null || !parseVersion(v).ok) continue;
    if (best === null || (compareVersions(v, best) ?? 0) > 0) best = v;
  }
  return best;
}
