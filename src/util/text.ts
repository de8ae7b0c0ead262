// Terminal-safe text: fleet data (worker names, queues, errors) must not steer or fool the terminal.

/**
 * Characters a terminal acts on or hides: C0 controls (tab and newline aside), DEL, C1 controls
 * (U+0080-U+009F, e.g. CSI), every Unicode format character (Cf: the bidi controls U+202A-202E and
 * U+2066-2069, LRM/RLM, zero-width space and joiners, BOM, soft hyphen …), the line and paragraph
 * separators, and lone surrogates.
 */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\p{Cf}\p{Cs}]/gu;
/** Printable ASCII, tab and newline: nothing to clean, the common case, checked without UNSAFE's tables. */
const PLAIN = /^[\t\n\x20-\x7e]*$/;

/** `\u202E`: visible, and two names that differ only in hidden characters still look different. */
const escape = (ch: string) => `\\u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** One line of text safe to print on a terminal: newlines become spaces, the rest is escaped. */
export function oneLine(s: string): string {
  if (PLAIN.test(s)) return s.includes('\n') ? s.replace(/\n/g, ' ') : s;
  return s.replace(/\n/g, ' ').replace(UNSAFE, escape);
}

/**
 * JSON text with the same characters written as \u escapes: JSON.parse gives back the true value,
 * and `--json` read on a terminal cannot be made to show one name as another.
 */
export function jsonSafe(json: string): string {
  // Outside strings JSON.stringify writes only ASCII punctuation, so every match is inside a string.
  if (PLAIN.test(json)) return json;
  return json.replace(UNSAFE, escape);
}

/** Whether the locale is UTF-8. POSIX precedence: the first of LC_ALL, LC_CTYPE, LANG that is set decides. */
export function utf8Locale(env: NodeJS.ProcessEnv): boolean {
  return /utf-?8/i.test(env.LC_ALL || env.LC_CTYPE || env.LANG || '');
}

// CSI (colours, cursor moves) and OSC (titles, hyperlinks) sequences, removed whole.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g;
// C0 and C1 controls (tab kept as a space), bidi embeddings, overrides and
// isolates, and the invisible marks and joiners that can disguise a word.
const LOG_UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** One line of fleet text (a log line above all), printable: escapes removed, other unsafe characters as `?`. */
export function cleanText(s: string): string {
  return String(s).replace(ESCAPES, '').replace(/\t/g, ' ').replace(LOG_UNSAFE, '?');
}

/**
 * Sort order for names: by code unit, so the output is the same on every machine and in every
 * locale, and no ICU collator is built (localeCompare's first call costs ~8 ms of start-up).
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
