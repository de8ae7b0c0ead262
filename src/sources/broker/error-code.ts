// The code of a connection error, read before any of its words: its text holds host names, ports
// and paths, which can read "auth", "403" or "noauth".

/** The error's own code, else the first errno word of its text (wrapped errors keep only the text). */
export function errorCode(err: unknown, msg: string): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code ?? /\b(E[A-Z_]{3,})\b/.exec(msg)?.[1];
}
