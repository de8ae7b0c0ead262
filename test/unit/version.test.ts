import { describe, expect, it } from 'vitest';
import { compareVersions, isValidRange, parseVersion, satisfiesRange } from '../../src/model/worker/version.js';

describe('parseVersion', () => {
  it.each([
    ['1.2.0', '1.2.0'],
    ['v1.2.0', '1.2.0'],
    ['1.2', '1.2.0'],
    ['1', '1.0.0'],
    ['01.02.03', '1.2.3'],
    ['  1.2.3  ', '1.2.3'],
    ['1.3.0-rc.1', '1.3.0-rc.1'],
    ['0.14.0rc1', '0.14.0-rc.1'],
    ['1.0-rc1', '1.0.0-rc.1'],
    ['1.0.RC1', '1.0.0-rc.1'],
    ['1.0_rc_1', '1.0.0-rc.1'],
    ['1.0c1', '1.0.0-rc.1'],
    ['1.0pre2', '1.0.0-rc.2'],
    ['1.0preview2', '1.0.0-rc.2'],
    ['1.0a2', '1.0.0-alpha.2'],
    ['1.0alpha2', '1.0.0-alpha.2'],
    ['2.0.0b1', '2.0.0-beta.1'],
    ['2.0.0beta1', '2.0.0-beta.1'],
    ['1.0.0-alpha', '1.0.0-alpha.0'],
    ['1.2.0.dev3', '1.2.0-0.dev.3'],
    ['1.2.0dev', '1.2.0-0.dev.0'],
    ['0.13.0.post1', '0.13.1-0.0.post.1'],
    ['0.13.0-1', '0.13.1-0.0.post.1'],
    ['0.13.0.rev2', '0.13.1-0.0.post.2'],
    ['1.0rc1.post2', '1.0.0-rc.1.post.2'],
    ['1.2.0+local.7', '1.2.0+local.7'],
    ['1.2.0+ubuntu-1_2', '1.2.0+ubuntu.1.2'],
    ['1.2.0rc1+abc', '1.2.0-rc.1+abc'],
    // Semver that PEP 440 cannot express passes through.
    ['1.0.0-alpha.beta', '1.0.0-alpha.beta'],
    ['1.0.0-x.7.z.92', '1.0.0-x.7.z.92'],
    ['1.0.0-0.3.7', '1.0.0-0.3.7'],
  ])('%s maps to %s', (text, expected) => {
    expect(parseVersion(text)).toEqual({ ok: true, semver: expected, text });
  });

  it.each([
    ['1!2.0', /epoch/],
    ['1.2.3.4', /three release numbers/],
    ['banana', /neither/],
    ['', /empty/],
    ['   ', /empty/],
    ['1.0a1.dev2', /\.dev segment/],
    ['1.0.post1.dev2', /\.dev segment/],
    ['99999999999999999999.0.0', /too large/],
    ['1.2.3-', /neither/],
    ['1..2', /neither/],
    ['x'.repeat(100_000), /longer than/],
    ['1.'.repeat(50_000) + '1', /longer than/],
  ])('%s is not a version', (text, why) => {
    const r = parseVersion(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.why).toMatch(why);
      expect(r.text).toBe(text);
    }
  });

  it.each([null, undefined, 42, {}, [], '\u0000', '1.0\n', '💥', '$(id)'])('never throws on %j', (input) => {
    expect(() => parseVersion(input as unknown as string)).not.toThrow();
  });
});

describe('compareVersions', () => {
  const chain = ['1.2.0.dev3', '1.2.0a1', '1.2.0b2', '1.2.0rc1', '1.2.0', '1.2.0.post1', '1.2.1.dev0', '1.2.1'];
  it.each(chain.slice(0, -1).map((v, i) => [v, chain[i + 1]]))('%s < %s (PEP 440 order)', (a, b) => {
    expect(compareVersions(a, b)).toBeLessThan(0);
    expect(compareVersions(b, a)).toBeGreaterThan(0);
  });

  it.each([
    ['1.3.0-rc.1', '1.3.0', -1],
    ['1.3.0-alpha.1', '1.3.0-beta.1', -1],
    ['1.3.0-rc.1', '1.3.0rc1', 0],
    ['0.14.0rc1', '0.14.0', -1],
    ['0.14.0rc1', '0.13.0', 1],
    ['0.13', '0.13.0', 0],
    ['v0.13.0', '0.13.0', 0],
    ['1.0a2', '1.0a10', -1],
    ['1.0rc1', '1.0rc1.post1', -1],
    ['1.0rc1.post1', '1.0rc2', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0', '1.0.0.post1', -1],
    ['1.0.0.post1', '1.0.1-alpha', -1],
    ['1.0.0.post1', '1.0.0.post2', -1],
    ['1.2.0+local', '1.2.0', 0],
  ])('%s vs %s is %i', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b) as number)).toBe(sign);
  });

  it.each([
    ['banana', '1.0.0'],
    ['1.0.0', '1!1.0'],
    ['', ''],
  ])('%s vs %s cannot be compared', (a, b) => {
    expect(compareVersions(a, b)).toBeNull();
  });
});

describe('ranges', () => {
  it.each([
    ['0.13.0', '^0.13.0', true],
    ['0.13.5', '^0.13.0', true],
    ['0.14.0', '^0.13.0', false],
    ['0.14.0rc1', '^0.13.0', false],
    ['0.13.1rc1', '^0.13.0', true],
    ['0.13.0rc1', '^0.13.0', false],
    ['0.13.0.post1', '^0.13.0', true],
    ['0.13.2', '>=0.13.0 <0.14.0', true],
    ['0.12.9', '>=0.13.0 <0.14.0', false],
    // semver ordering: a pre-release of 0.14.0 is below 0.14.0 (PEP 440's
    // specifiers would exclude it; semver ranges do not).
    ['0.14.0rc1', '>=0.13.0 <0.14.0', true],
    ['0.14.0rc1', '>=0.13.0 <0.15.0', true],
    ['0.13.4', '0.13.x', true],
    ['0.13.4b1', '0.13.x', true],
    ['0.14.0.dev1', '0.13.x', false],
    ['0.14.0.dev1', '0.14.x', true],
    ['1.3.0-rc.1', '>=1.3.0-rc.1', true],
    ['1.2.0+local', '1.2.0', true],
  ])('%s satisfies %s: %s', (version, range, ok) => {
    expect(satisfiesRange(version, range)).toEqual({ ok });
  });

  it('explains an unparseable version or an invalid range', () => {
    expect(satisfiesRange('banana', '^1.0.0')).toMatchObject({ ok: false, why: expect.stringMatching(/cannot be parsed/) });
    expect(satisfiesRange('1.0.0', 'not a range')).toMatchObject({ ok: false, why: expect.stringMatching(/not a valid semver range/) });
    expect(satisfiesRange('1.0.0', '')).toMatchObject({ ok: false, why: expect.any(String) });
  });

  it.each([
    ['^0.13.0', true],
    ['>=0.13.0 <0.14.0', true],
    ['0.13.x', true],
    ['~1.2 || ^2', true],
    ['*', true],
    ['', false],
    ['   ', false],
    ['banana', false],
    ['>=x.y', false],
    ['>='.repeat(10_000), false],
  ])('isValidRange(%j) is %s', (range, ok) => {
    expect(isValidRange(range)).toBe(ok);
  });
});
