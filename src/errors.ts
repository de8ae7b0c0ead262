// Typed errors, mapped to exit codes in one place (src/cli/main.ts).

export const EXIT = {
  ok: 0,
  warning: 1,
  critical: 2,
  unknown: 3,
  usage: 64,
  internal: 70,
  interrupted: 130,
} as const;

export class FleetdocError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, bad config, a URL that is not a broker URL. */
export class UsageError extends FleetdocError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** The broker cannot be reached or read: nothing trustworthy to report. */
export class BrokerError extends FleetdocError {
  constructor(message: string) {
    super(message, EXIT.unknown);
  }
}

/** Ctrl-C: cleanup ran, nothing to report. */
export class InterruptedError extends FleetdocError {
  constructor() {
    super('interrupted', EXIT.interrupted);
  }
}
