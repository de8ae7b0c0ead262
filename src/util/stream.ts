// The output streams a run writes to: process.stdout/stderr, or captures in tests.
import type { Writable } from 'node:stream';

export type Stream = Writable & { isTTY?: boolean; columns?: number };
