import { describe, expect, it } from 'vitest';
import { duration, makeStyle } from '../../src/render/style.js';

describe('makeStyle', () => {
  it.each([
    [{ LANG: 'C.UTF-8' }, true],
    [{ LC_ALL: 'C', LANG: 'C.UTF-8' }, false],
    [{ LC_CTYPE: 'en_US.utf8' }, true],
    [{}, false],
  ])('unicode marks for %j: %s', (env, want) => {
    expect(makeStyle(false, env as NodeJS.ProcessEnv).unicode).toBe(want);
  });
  it('colour implies a modern terminal', () => {
    expect(makeStyle(true, {}).unicode).toBe(true);
  });
});

describe('duration', () => {
  it.each([[null, '-'], [5, '5s'], [75, '1m15s'], [3700, '1h01m'], [90000, '1d01h']])('%s → %s', (s, want) => {
    expect(duration(s)).toBe(want);
  });
});
