// Pure: what a ps STAT says. One place, so every command reads a stopped process the same way.

/** The first letter of ps STAT (R, S, D, T, t, Z …), '' when unknown. */
export function stateLetter(stat: string): string {
  return stat.trim().charAt(0);
}

/** Exited and not yet reaped (Z), or dead (X): no longer a worker, whatever its name. */
export function isExited(stat: string): boolean {
  const l = stateLetter(stat);
  return l === 'Z' || l === 'X';
}

/** Stopped by a signal (T) or by a tracer (t): it cannot act on anything until continued. */
export function isStopped(stat: string): boolean {
  const l = stateLetter(stat);
  return l === 'T' || l === 't';
}
