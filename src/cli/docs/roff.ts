// Escaping text for roff (man(7)). Text comes from help strings written for a terminal, so every
// character roff treats specially is made literal here, once, rather than at each call site.
import type { OptionSpec } from './describe.js';

// Characters the help text uses, in forms that render in every locale (\[u2026] warns under LC_ALL=C).
const ASCII: Record<string, string> = { '…': '...', '—': '\\(em', '–': '\\(en', '“': '"', '”': '"', '’': "'" };

/**
 * One text line: backslash as \e, non-ASCII as \[uXXXX] (groff reads its input as Latin-1 unless
 * man runs preconv), and a leading . or ' guarded so it is not read as a request.
 */
export function text(s: string): string {
  const t = s
    .replace(/\\/g, '\\e')
    .replace(/[…—–“”’]/g, (c) => ASCII[c])
    .replace(/[^\x20-\x7e]/gu, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
  return /^[.']/.test(t) ? `\\&${t}` : t;
}

/**
 * Prose: hyphens in words that start with one (--yes, -TERM) become \-, an ASCII minus that survives
 * copy and paste; hyphens inside ordinary words (comma-separated) stay typographic hyphens.
 */
export function prose(s: string): string {
  return text(s).replace(/(^|[\s("'])(-\S*)/g, (_m, pre: string, tok: string) => pre + tok.replace(/-/g, '\\-'));
}

/** Command lines and option names: every hyphen is a minus. */
export function code(s: string): string {
  return text(s).replace(/-/g, '\\-');
}

export const bold = (s: string): string => `\\fB${code(s)}\\fR`;
export const italic = (s: string): string => `\\fI${text(s)}\\fR`;

/** The .TP tag of an option: \fB\-b\fR, \fB\-\-broker\fR \fIurl\fR. */
export function optionTag(o: OptionSpec): string {
  const forms = [o.short, o.long].filter((f): f is string => Boolean(f)).map(bold).join(', ');
  if (o.value === 'none') return forms;
  return `${forms} ${o.value === 'optional' ? `[${italic(o.placeholder)}]` : italic(o.placeholder)}`;
}

/** A .TP entry per option, with a default commander knows but the description does not say. */
export function optionList(options: OptionSpec[]): string[] {
  return options.flatMap((o) => ['.TP', optionTag(o), prose(o.description + (o.default ? ` (default: ${o.default})` : ''))]);
}

/** Lines shown as typed: no filling, no hyphenation. */
export function codeBlock(lines: string[]): string[] {
  return ['.PP', '.RS 4', '.nf', ...lines.map(code), '.fi', '.RE'];
}
