// Each distinct warning once, with a count: one bad reply must not print the same line per method.

export interface Warnings {
  warn(message: string): void;
  /** Print what is pending, and a count of repeats that came after a message was printed. */
  flush(): void;
}

/**
 * Warnings given in the same turn of the event loop (a source's list, one per method or reply)
 * are grouped and printed at the end of that turn as "message (×3)". A message already printed
 * is counted, not printed again; flush() at the end of the run reports those repeats once.
 */
export function makeWarnings(print: (line: string) => void, unicode: boolean): Warnings {
  const times = unicode ? '×' : 'x';
  const pending = new Map<string, number>();
  const later = new Map<string, number>();
  let scheduled = false;
  const printPending = () => {
    scheduled = false;
    for (const [message, n] of pending) {
      print(n > 1 ? `${message} (${times}${n})` : message);
      later.set(message, 0);
    }
    pending.clear();
  };
  return {
    warn(message) {
      const seen = later.get(message);
      if (seen !== undefined) {
        later.set(message, seen + 1);
        return;
      }
      pending.set(message, (pending.get(message) ?? 0) + 1);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(printPending);
      }
    },
    flush() {
      printPending();
      for (const [message, n] of later) if (n) print(`${message} (${times}${n} more)`);
      later.forEach((_, m) => later.set(m, 0));
    },
  };
}
