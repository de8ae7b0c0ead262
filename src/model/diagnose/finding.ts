// Pure: one finding of diagnose: one sentence about one subject, what to type, and the evidence.
import type { RestartCause } from '../containers/restart-cause.js';
import type { Severity } from '../types.js';

export interface Finding {
  check: string;
  severity: Severity;
  subject: string;
  message: string;
  remediation: { where: string; command: string }[];
  evidence: string[];
  /** restart-loops only: what keeps it dying, and the log line or inspect field that says so. */
  cause?: RestartCause | null;
  cause_evidence?: string | null;
}

export function finding(check: string, severity: Severity, subject: string, message: string, remediation: Finding['remediation'], evidence: string[]): Finding {
  return { check, severity, subject, message, remediation, evidence };
}
