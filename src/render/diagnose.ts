// `fleetdoc diagnose`: doctor-style sections, commands grouped by where to type them, one closing line.
import { oneLine } from '../util/text.js';
import { DEFAULT_DOCKER_ENDPOINT } from '../model/containers/containers.js';
import type { Diagnosis } from '../model/diagnose/diagnose.js';
import type { Finding } from '../model/diagnose/findings.js';
import type { Severity } from '../model/types.js';
import { redactUrls } from '../util/redact.js';
import { paintSeverity, type Style } from './style.js';

export function diagnoseText(d: Diagnosis, style: Style, verbose: boolean): string {
  const out: string[] = [];
  for (const c of d.checks) {
    const note = c.skipped ? style.c.dim(` (skipped: ${oneLine(c.skipped)})`) : '';
    out.push(`${mark(style, c.status)} ${c.name}: ${oneLine(c.title)}${note}`);
    if (verbose) for (const e of c.evidence) out.push(style.c.dim(`      ${oneLine(e)}`));
    for (const f of c.findings) out.push(...findingLines(f, style, verbose));
  }
  const count = (s: Severity) => d.findings.filter((f) => f.severity === s).length;
  const unknown = count('unknown') ? `, ${count('unknown')} unknown` : '';
  out.push('', `${count('critical')} critical, ${count('warning')} warning${count('warning') === 1 ? '' : 's'}${unknown} in ${d.checks.length} checks`);
  return out.join('\n') + '\n';
}

function findingLines(f: Finding, style: Style, verbose: boolean): string[] {
  const out = [`    ${mark(style, f.severity)} ${oneLine(f.message)}`];
  if (verbose) for (const e of f.evidence) out.push(style.c.dim(`        ${oneLine(redactUrls(e))}`));
  const groups = new Map<string, string[]>();
  for (const r of f.remediation) groups.set(r.where, [...(groups.get(r.where) ?? []), r.command]);
  for (const [where, commands] of groups) {
    out.push(`        ${style.c.bold(oneLine(whereLabel(where)))}`);
    for (const cmd of commands) out.push(`          ${oneLine(redactUrls(cmd))}`);
  }
  return out;
}

export function whereLabel(where: string): string {
  const words = where.split(' ');
  if (words[0] === 'ssh') {
    const host = words[words.length - 1];
    return words.length === 2 ? `on ${host}:` : `on ${host} (${where}):`;
  }
  if (where === `docker ${DEFAULT_DOCKER_ENDPOINT}`) return 'docker:';
  if (words[0] === 'docker') return `docker (${words.slice(1).join(' ')}):`;
  return `${where}:`;
}

function mark(style: Style, s: Severity): string {
  const text = style.unicode
    ? { ok: '✓', warning: '!', critical: '✗', unknown: '?' }[s]
    : { ok: '[ok]', warning: '[warn]', critical: '[FAIL]', unknown: '[??]' }[s];
  return paintSeverity(style, s, text);
}

export function diagnoseJson(d: Diagnosis): unknown {
  return {
    status: d.status,
    exit_code: d.exit_code,
    checks: d.checks.map((c) => ({ name: c.name, status: c.status, title: c.title, skipped: c.skipped, findings: c.findings.length, evidence: c.evidence.map(redactUrls) })),
    findings: d.findings.map((f) => ({
      check: f.check, severity: f.severity, subject: f.subject, message: f.message,
      remediation: f.remediation.map((r) => ({ where: r.where, command: redactUrls(r.command) })),
      evidence: f.evidence.map(redactUrls),
      // restart-loops findings say why; other findings have no cause.
      ...(f.check === 'restart-loops' ? { cause: f.cause ?? 'unknown', cause_evidence: f.cause_evidence == null ? null : redactUrls(f.cause_evidence) } : {}),
    })),
  };
}
