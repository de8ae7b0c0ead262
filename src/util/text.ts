// Fleet text (log lines above all) made safe to print on a terminal: no
// escape sequences, no control characters, nothing that reorders or hides text.

// CSI (colours, cursor moves) and OSC (titles, hyperlinks) sequences, removed whole.
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g;
// C0 and C1 controls (tab kept as a space), bidi embeddings, overrides and
// isolates, and the invisible marks and joiners that can disguise a word.
const UNSAFE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** One line of fleet text, printable: escapes removed, other unsafe characters as `?`. */
export function cleanText(s: string): string {
  return String(s).replace(ESCAPES, '').replace(/\t/g, ' ').replace(UNSAFE, '?');
}
