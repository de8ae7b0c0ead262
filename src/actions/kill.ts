// Carry out a kill plan through a small set of effects, then verify each target. The only code that
// changes the fleet; tests drive it with fake effects, the CLI with real ones.
import type { Effects } from '../model/remedy/effects.js';
import type { KillAction } from '../model/remedy/plan.js';
import type { Step } from '../model/remedy/steps.js';

export type { Effects } from '../model/remedy/effects.js';

export async function runAction(a: KillAction, fx: Effects): Promise<KillAction> {
  if (a.result === 'skipped') return a;
  const errors: string[] = [];
  let done = false;
  for (const step of a.steps) {
    if (done && step.kind !== 'docker-rm') continue;
    const err = await runStep(step, a, fx);
    if (err === 'gone') done = true;
    else if (err) errors.push(err);
  }
  const state = await verify(a, fx);
  const gone = state.every((s) => s !== true);
  if (gone) {
    const binding = a.steps.find((s) => s.kind === 'remove-binding');
    if (binding) await fx.removeBinding(binding.name);
  }
  const unknown = state.some((s) => s === null);
  return {
    ...a,
    result: gone && !unknown ? 'stopped' : errors.length ? 'failed' : gone ? 'stopped' : 'still-running',
    // The plan's own note (supervised, another broker) stays; what went wrong follows it.
    detail: [...(a.detail ? [a.detail] : []), ...errors, ...(unknown ? ['could not confirm the process is gone (host unreachable)'] : [])].join('; ') || null,
  };
}

async function runStep(step: Step, a: KillAction, fx: Effects): Promise<string | null | 'gone'> {
  switch (step.kind) {
    case 'broker-shutdown':
      await fx.shutdown(step.name);
      return null;
    case 'wait-gone': {
      // Poll rather than sleep the whole grace: most workers stop in well under a second.
      const until = fx.now() + step.seconds * 1000;
      do {
        await fx.sleep(250);
        if ((await verify(a, fx)).every((s) => s === false)) return 'gone';
      } while (fx.now() < until);
      return null;
    }
    case 'signal':
      return fx.signal(step.target, step.signal, step.pids);
    case 'docker-stop':
      return fx.dockerStop(step.engine, step.id, step.seconds);
    case 'docker-rm':
      return fx.dockerRm(step.engine, step.id);
    case 'supervisor-stop':
      return fx.run(step.target, step.argv);
    case 'remove-binding':
      return null; // only once verified gone, in runAction
    default:
      return null; // printed advice (start lines, compose, logs) is never run
  }
}

/** One entry per way the target could still be alive: true alive, false gone, null unknown. */
async function verify(a: KillAction, fx: Effects): Promise<(boolean | null)[]> {
  const out: Promise<boolean | null>[] = [];
  for (const s of a.steps) {
    // A supervised worker must not be answering again under a new pid.
    if (s.kind === 'broker-shutdown' || s.kind === 'supervisor-stop') out.push(fx.answering(s.name));
    if (s.kind === 'signal' && s.signal === 'KILL') out.push(fx.alive(s.target, s.pids[0]));
    if (s.kind === 'docker-stop') out.push(fx.containerRunning(s.engine, s.id));
  }
  return Promise.all(out);
}
