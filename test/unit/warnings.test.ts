import { describe, expect, it } from 'vitest';
import { makeWarnings } from '../../src/cli/warnings.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('warnings', () => {
  it('prints a warning repeated in one turn once, with a count, at the end of the turn', async () => {
    const out: string[] = [];
    const w = makeWarnings((l) => out.push(l), true);
    for (const m of ['bad reply', 'bad reply', 'other', 'bad reply']) w.warn(m);
    expect(out).toEqual([]);
    await tick();
    expect(out).toEqual(['bad reply (×3)', 'other']);
  });

  it('does not print a message again in a later turn, and counts the repeats at flush', async () => {
    const out: string[] = [];
    const w = makeWarnings((l) => out.push(l), false);
    w.warn('docker down');
    await tick();
    w.warn('docker down');
    w.warn('docker down');
    w.warn('ssh down');
    await tick();
    expect(out).toEqual(['docker down', 'ssh down']);
    w.flush();
    expect(out).toEqual(['docker down', 'ssh down', 'docker down (x2 more)']);
    w.flush();
    expect(out).toHaveLength(3);
  });

  it('flush prints what is still pending', () => {
    const out: string[] = [];
    const w = makeWarnings((l) => out.push(l), true);
    w.warn('a');
    w.warn('a');
    w.flush();
    expect(out).toEqual(['a (×2)']);
  });
});
