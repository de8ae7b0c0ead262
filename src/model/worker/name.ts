// Worker names follow `basename-v<version>@hostname`. The name comes from the
// broker, so anything may be in it; parsing is total and never throws.
import type { ParsedName } from '../types.js';

/**
 * Splits a node name like Celery does (at the first `@`), then takes the
 * version from the last `-v<digit>` of the part before it.
 */
export function parseWorkerName(name: string): ParsedName {
  const full = typeof name === 'string' ? name : safeString(name);
  const at = full.indexOf('@');
  const left = at < 0 ? full : full.slice(0, at);
  const host = at < 0 ? null : full.slice(at + 1);
  const tag = lastVersionTag(left);
  if (tag < 0) return { name: full, basename: left, host, version: null };
  return { name: full, basename: left.slice(0, tag), host, version: left.slice(tag + 2) };
}

/** Index of the `-` in the last `-v<digit>` / `-V<digit>`, or -1. */
function lastVersionTag(s: string): number {
  for (let i = s.length - 3; i >= 0; i--) {
    if (s[i] === '-' && (s[i + 1] === 'v' || s[i + 1] === 'V') && isDigit(s[i + 2])) return i;
  }
  return -1;
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function safeString(value: unknown): string {
  try {
    return String(value ?? '');
  } catch {
    return '';
  }
}

/**
 * The `-n` value a worker should be started with: its basename tagged with
 * `version`, any old tag replaced, e.g. `main-v0.13.0@%h`. A `v` in front of
 * `version` is dropped. An empty basename becomes `celery`, Celery's default,
 * so the result never starts with `-` (it would read as an option).
 */
export function versionedName(parsed: ParsedName, version: string, hostTemplate = '%h'): string {
  const base = parsed && typeof parsed.basename === 'string' && parsed.basename !== '' ? parsed.basename : 'celery';
  let v = typeof version === 'string' ? version.trim() : safeString(version);
  if (/^[vV]\d/.test(v)) v = v.slice(1);
  return `${base}-v${v}@${hostTemplate}`;
}
