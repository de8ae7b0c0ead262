// POSIX shell words: quoting for printing commands a user can paste, and the
// matching splitter. splitShellWords(shellJoin(words)) gives back `words`.

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word, single-quoted unless every character is plainly safe. */
export function shellQuote(word: string): string {
  const s = String(word);
  if (s === '') return "''";
  if (SAFE_WORD.test(s)) return s;
  // A backslash goes outside the quotes as "\\": fish reads \' and \\ inside single quotes as escapes.
  return `'${s.replace(/['\\]/g, (ch) => (ch === "'" ? `'\\''` : `'"\\\\"'`))}'`;
}

export function shellJoin(words: string[]): string {
  return words.map(shellQuote).join(' ');
}

/** A word or, in script mode, a control operator such as `&&` or `;`. */
export interface ShellToken {
  text: string;
  op: boolean;
}

const BLANK = new Set([' ', '\t', '\n', '\r']);
const OPERATOR_CHARS = new Set([';', '&', '|', '(', ')', '\n']);
// Inside double quotes a backslash only escapes these (POSIX).
const DQ_ESCAPABLE = new Set(['$', '`', '"', '\\', '\n']);

/**
 * Splits a command string into tokens. With `script` false only quotes,
 * backslashes and blanks count (what `ps` or a Cmd string needs). With
 * `script` true, unquoted `; & | ( ) newline` become operator tokens,
 * redirections (`2>&1`, `> file`) are dropped and `#` starts a comment,
 * which is enough to find one command inside an `sh -c` string.
 * Returns null on an unbalanced quote.
 */
export function tokenizeShell(input: string, script: boolean): ShellToken[] | null {
  const s = String(input);
  const out: ShellToken[] = [];
  let word = '';
  let started = false; // a word has begun, even if empty ('' or "")
  let skipNext = false; // the next word is a redirection target
  const end = () => {
    if (started) {
      if (skipNext) skipNext = false;
      else out.push({ text: word, op: false });
    }
    word = '';
    started = false;
  };
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === "'") {
      const close = s.indexOf("'", i + 1);
      if (close < 0) return null;
      word += s.slice(i + 1, close);
      started = true;
      i = close + 1;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && DQ_ESCAPABLE.has(s[j + 1])) {
          j++;
          if (s[j] !== '\n') word += s[j];
        } else word += s[j];
      }
      if (j >= s.length) return null;
      started = true;
      i = j + 1;
    } else if (ch === '\\') {
      if (i + 1 >= s.length) {
        word += '\\';
        started = true;
      } else if (s[i + 1] !== '\n') {
        word += s[i + 1];
        started = true;
      }
      i += 2;
    } else if (script && ch === '#' && !started) {
      while (i < s.length && s[i] !== '\n') i++;
    } else if (script && (ch === '<' || ch === '>' || (ch === '&' && s[i + 1] === '>'))) {
      if (started && /^\d+$/.test(word)) started = false; // an fd number, as in 2>
      end();
      const r = skipRedirection(s, i);
      i = r.end;
      skipNext = r.needsTarget;
    } else if (script && OPERATOR_CHARS.has(ch)) {
      end();
      let op = ch;
      if ((ch === '&' || ch === '|' || ch === ';') && s[i + 1] === ch) op += ch;
      out.push({ text: op, op: true });
      i += op.length;
    } else if (BLANK.has(ch)) {
      end();
      i++;
    } else {
      word += ch;
      started = true;
      i++;
    }
  }
  end();
  return out;
}

// Skips `>`, `>>`, `<`, `&>`, `>|`, `<>` and a `&N` / `&-` duplication;
// otherwise the next word is the file and must be dropped too.
function skipRedirection(s: string, i: number): { end: number; needsTarget: boolean } {
  let j = i;
  if (s[j] === '&') j++;
  j++;
  if (s[j] === '>' || s[j] === '<' || s[j] === '|') j++;
  if (s[j] === '&' && /[\d-]/.test(s[j + 1] ?? '')) {
    j++;
    while (j < s.length && /[\d-]/.test(s[j])) j++;
    return { end: j, needsTarget: false };
  }
  if (s[j] === '&') j++;
  return { end: j, needsTarget: true };
}

/** POSIX-ish word splitting; null on an unbalanced quote. Never throws. */
export function splitShellWords(s: string): string[] | null {
  try {
    const tokens = tokenizeShell(s, false);
    return tokens === null ? null : tokens.map((t) => t.text);
  } catch {
    return null;
  }
}
