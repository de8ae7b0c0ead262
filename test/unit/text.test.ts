import { describe, expect, it } from 'vitest';
import { jsonSafe, oneLine, utf8Locale } from '../../src/util/text.js';
import { renderJson } from '../../src/render/json.js';

describe('oneLine', () => {
  it.each([
    ['plain ascii stays', 'main-v0.13.0@host', 'main-v0.13.0@host'],
    ['letters of every script stay', 'café-中文-🙂@h', 'café-中文-🙂@h'],
    ['a newline becomes a space', 'a\nb', 'a b'],
    ['a tab stays', 'a\tb', 'a\tb'],
    ['escape sequences are escaped', 'a\x1b[2Jb', 'a\\u001B[2Jb'],
    ['bell and DEL', '\x07\x7f', '\\u0007\\u007F'],
    ['C1 CSI', 'a\u009b31m', 'a\\u009B31m'],
    ['right-to-left override', 'evil\u202Egnp', 'evil\\u202Egnp'],
    ['every bidi embedding and override', '\u202A\u202B\u202C\u202D', '\\u202A\\u202B\\u202C\\u202D'],
    ['bidi isolates', '\u2066\u2067\u2068\u2069', '\\u2066\\u2067\\u2068\\u2069'],
    ['LRM, RLM and ALM', '\u200E\u200F\u061C', '\\u200E\\u200F\\u061C'],
    ['zero-width space, joiners, word joiner', 'a\u200B\u200C\u200D\u2060b', 'a\\u200B\\u200C\\u200D\\u2060b'],
    ['BOM and soft hyphen', '\uFEFFa\u00ADb', '\\uFEFFa\\u00ADb'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['a lone surrogate', 'a\uD800b', 'a\\uD800b'],
    ['a Cf outside the BMP (tag character)', 'a\u{E0001}b', 'a\\uE0001b'],
  ])('%s', (_what, input, out) => expect(oneLine(input)).toBe(out));

  it('keeps two names that differ only in hidden characters apart', () => {
    expect(oneLine('ad\u200Bmin')).not.toBe(oneLine('admin'));
  });
});

describe('JSON output', () => {
  const hostile = { name: 'evil\u202Egnp\u200B\u009b\u2028x' };
  it('writes hidden characters as \\u escapes and parses back to the true value', () => {
    const text = renderJson(hostile);
    expect(text).not.toMatch(/[\u009b\u200B\u202E\u2028]/);
    expect(text).toContain('evil\\u202Egnp\\u200B\\u009B\\u2028x');
    expect(JSON.parse(text)).toEqual(hostile);
  });

  it('escapes a backslash before a hidden character correctly', () => {
    const doc = { s: '\\\u202E' };
    expect(JSON.parse(jsonSafe(JSON.stringify(doc)))).toEqual(doc);
  });
});

describe('utf8Locale', () => {
  it.each([
    [{ LANG: 'en_US.UTF-8' }, true],
    [{ LANG: 'C.utf8' }, true],
    [{ LC_ALL: 'C', LANG: 'en_US.UTF-8' }, false],
    [{ LC_CTYPE: 'de_DE.UTF-8', LANG: 'C' }, true],
    [{}, false],
  ])('%o → %s', (env, utf8) => expect(utf8Locale(env)).toBe(utf8));
});
