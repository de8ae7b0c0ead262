// What a remote `kill` said, read from its exit code and every line of its stderr. With several
// pids, kill exits 1 if any failed, and the last line may be a harmless "No such process" after an
// "Operation not permitted": one line alone cannot say the signal went everywhere.

const lines = (stderr: string) => stderr.split('\n').map((l) => l.trim()).filter(Boolean);
const gone = (l: string) => /no such process/i.test(l);

/** `kill -SIG pid…`: null when each pid got the signal or was already gone, else why not. */
export function signalResult(exitCode: number | null, stderr: string): string | null {
  if (exitCode === 0) return null;
  const said = lines(stderr);
  if (exitCode === 1 && said.length > 0 && said.every(gone)) return null;
  return said.find((l) => !gone(l)) ?? `kill exited ${exitCode ?? '(unreachable)'}`;
}

/** `kill -0 pid`: true while the process exists (also when it is not ours), false once it is gone, null when unknown. */
export function aliveResult(exitCode: number | null, stderr: string): boolean | null {
  if (exitCode === 0) return true;
  if (exitCode !== 1) return null;
  const said = lines(stderr);
  if (said.some((l) => /not permitted/i.test(l))) return true;
  return said.length > 0 && said.every(gone) ? false : null;
}
