// Pure: every action fleetdoc prints or runs, as typed data. One builder (commands.ts) turns each
// into the line an engineer types; the kill runner executes the same steps.

/** Seconds a worker gets after each gentler step before the next one. */
export const GRACE_S = 10;

export type Signal = 'TERM' | 'KILL' | 'CONT';

export type Step =
  | { kind: 'broker-shutdown'; name: string }
  | { kind: 'wait-gone'; seconds: number }
  | { kind: 'signal'; target: string; signal: Signal; pids: number[] }
  | { kind: 'docker-stop'; engine: string; id: string; name: string; seconds: number }
  | { kind: 'docker-rm'; engine: string; id: string; name: string }
  | { kind: 'remove-binding'; name: string }
  /** The worker's own start line under its versioned name, on its SSH host. */
  | { kind: 'start'; target: string; argv: string[]; cwd: string | null }
  /** The compose service's corrected command, to put in its compose file. */
  | { kind: 'compose-command'; engine: string; place: string; service: string; argv: string[] | null; name: string }
  | { kind: 'compose-up'; engine: string; project: string; files: string[]; workingDir: string | null; service: string }
  | { kind: 'docker-logs'; engine: string; name: string; lines: number }
  | { kind: 'fleetdoc-kill'; names: string[] }
  | { kind: 'broker-config'; display: string; setting: string; value: string }
  /** Stop it through what supervises it (systemctl, supervisorctl), so it is not restarted. */
  | { kind: 'supervisor-stop'; target: string; argv: string[]; name: string }
  /** A line to put in a file (a unit's ExecStart=, a supervisord command=, a script, a pod spec). */
  | { kind: 'config-line'; place: string; line: string }
  /** Reload systemd and restart the unit under its corrected ExecStart. */
  | { kind: 'unit-restart'; target: string; unit: string; user: boolean }
  /** A command printed for the engineer to run where it says, never run by fleetdoc. */
  | { kind: 'advice'; where: Where; argv: string[] };

/** Where a step is typed. */
export type Where =
  | { kind: 'here' }
  | { kind: 'ssh'; target: string }
  | { kind: 'docker'; engine: string }
  | { kind: 'broker' }
  | { kind: 'file'; place: string };

export interface Remedy {
  /** The place as printed: "here", an ssh command line, "docker ENGINE", a file and its key. */
  where: string;
  command: string;
}
