// Colour decided once per run; renderers never look at the environment.
import { Chalk, type ChalkInstance } from 'chalk';
import type { Severity } from '../model/types.js';
import { utf8Locale } from '../util/text.js';

export interface Style {
  c: ChalkInstance;
  color: boolean;
  /** UTF-8 marks, or ASCII fallbacks. */
  unicode: boolean;
}

export function makeStyle(color: boolean, env: NodeJS.ProcessEnv = {}): Style {
  return { c: new Chalk({ level: color ? 1 : 0 }), color, unicode: color || utf8Locale(env) };
}

export function paintSeverity(style: Style, s: Severity, text: string): string {
  const { c } = style;
  return s === 'critical' ? c.red(text) : s === 'warning' ? c.yellow(text) : s === 'unknown' ? c.magenta(text) : c.green(text);
}

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor((s % 86400) / 3600)).padStart(2, '0')}h`;
}
