// The side effects a kill plan needs, as an interface: the runner drives it, tests hand it fakes.
import type { Signal } from './steps.js';

export interface Effects {
  shutdown(name: string): Promise<void>;
  /** Does the worker still answer a ping? */
  answering(name: string): Promise<boolean>;
  signal(target: string, signal: Signal, pids: number[]): Promise<string | null>;
  /** Run fixed words (a supervisor's stop) on an SSH host; an error line, or null. */
  run(target: string, argv: string[]): Promise<string | null>;
  /** null when it cannot be told (host unreachable). */
  alive(target: string, pid: number): Promise<boolean | null>;
  dockerStop(engine: string, id: string, seconds: number): Promise<string | null>;
  dockerRm(engine: string, id: string): Promise<string | null>;
  containerRunning(engine: string, id: string): Promise<boolean | null>;
  removeBinding(name: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** The clock the runner polls by (ms). */
  now(): number;
}
