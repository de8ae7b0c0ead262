// `fleetdoc stale`: a block per worker that is not healthy, registries after, and the JSON document.
import { oneLine } from '../util/text.js';
import { SEVERITY_ORDER } from '../model/severity.js';
import { registrySeverity, type StaleRow } from '../model/stale-rows.js';
import type { RegistryReport } from '../model/registry.js';
import { duration, paintSeverity, type Style } from './style.js';

export function staleText(rows: StaleRow[], registries: RegistryReport[], style: Style): string {
  const out: string[] = [];
  // Problems first: what the on-call engineer came for.
  for (const r of [...rows].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity])) {
    const hb = r.last_heartbeat_age_s === null ? 'no heartbeat heard' : `heartbeat ${duration(r.last_heartbeat_age_s)} ago`;
    out.push(`${paintSeverity(style, r.severity, r.state.padEnd(12))} ${oneLine(r.name)}  (${hb})`);
    for (const reason of r.reasons) out.push(`    - ${oneLine(reason)}`);
    for (const m of r.remediation) out.push(`    $ ${m.where === 'here' ? '' : `[${oneLine(m.where)}] `}${oneLine(m.command)}`);
  }
  for (const reg of registries) {
    out.push(`registry ${oneLine(reg.source)}: ${reg.ok ? oneLine(reg.summary.statuses) : `unreadable: ${oneLine(reg.error ?? '')}`}`);
    if (reg.summary.errors) out.push(`    errors: ${oneLine(reg.summary.errors)}`);
    if (reg.summary.failure_rate !== null) out.push(`    failure rate ${(reg.summary.failure_rate * 100).toFixed(0)}%${reg.summary.failing ? ' (the registry keeps failing its workers)' : ''}`);
    for (const e of reg.entries) {
      if (e.state === 'healthy') continue;
      const age = e.age_s === null ? '' : ` (${duration(e.age_s)} ago)`;
      out.push(`    ${paintSeverity(style, registrySeverity(e), e.state.padEnd(9))} ${oneLine(e.worker_id)}${age}${e.problem ? `: ${oneLine(e.problem)}` : ''}`);
    }
  }
  const count = (s: string) => rows.filter((r) => r.state === s).length;
  out.push(`${rows.length} workers: ${count('healthy')} healthy, ${count('degraded')} degraded, ${count('unresponsive')} unresponsive, ${count('stale')} stale, ${count('gone')} gone, ${count('foreign')} foreign`);
  return out.join('\n') + '\n';
}

export function staleJson(rows: StaleRow[], registries: RegistryReport[]): unknown {
  return {
    workers: rows,
    registry: registries.flatMap((r) => r.entries.map((e) => ({ source: r.source, worker_id: e.worker_id, state: e.state, age_s: e.age_s, status: e.status, problem: e.problem, error: e.error }))),
    registries: registries.map((r) => ({ source: r.source, ok: r.ok, error: r.error, summary: r.summary })),
  };
}
