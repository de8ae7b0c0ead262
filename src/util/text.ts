// Terminal-safe text: fleet-supplied strings may hold newlines or escape codes,
// and log lines may hold anything that reorders or hides text.

/** Keep each message to one safe line. */
export function oneLine(s: string): string {
  return s.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?').replace(/\n/g, ' ');
}

// CSI (colours, cursor moves) and OSC (titles, hyperlinks) sequences, removed whole.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g;
// C0 and C1 controls (tab kept as a space), bidi embeddings, overrides and
// isolates, and the invisible marks and joiners that can disguise a word.
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** One line of fleet text (a log line above all), printable: escapes removed, other unsafe characters as `?`. */
export function cleanText(s: string): string {
  return String(s).replace(ESCAPES, '').replace(/\t/g, ' ').replace(UNSAFE, '?');
}
