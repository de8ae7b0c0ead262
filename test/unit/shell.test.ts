import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellJoin, shellQuote, splitShellWords, tokenizeShell } from '../../src/util/shell.js';

describe('shellQuote', () => {
  it.each([
    ['main-v0.13.0@%h', 'main-v0.13.0@%h'],
    ['-n', '-n'],
    ['--queues=a,b', '--queues=a,b'],
    ['/usr/bin/celery', '/usr/bin/celery'],
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['$(id)', "'$(id)'"],
    ['`id`', "'`id`'"],
    ['x;touch /tmp/p@h', "'x;touch /tmp/p@h'"],
    ['~root', "'~root'"],
    ['*', "'*'"],
    ['naïve', "'naïve'"],
    ['a\nb', "'a\nb'"],
  ])('%j → %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });
});

describe('splitShellWords', () => {
  it.each([
    ['celery -A app worker', ['celery', '-A', 'app', 'worker']],
    ['  a \t b\n c  ', ['a', 'b', 'c']],
    ["-n 'my worker@%h'", ['-n', 'my worker@%h']],
    ['-n "my worker@%h"', ['-n', 'my worker@%h']],
    ['a\\ b', ['a b']],
    ['"a\\"b" "\\$x" "\\q"', ['a"b', '$x', '\\q']],
    ["'a\\b'", ['a\\b']],
    ["'' \"\"", ['', '']],
    ["a'b'\"c\"d", ['abcd']],
    ['a\\\nb', ['ab']],
    ['a;b && c', ['a;b', '&&', 'c']],
    ['', []],
    ['trailing\\', ['trailing\\']],
  ])('%j → %j', (input, words) => {
    expect(splitShellWords(input)).toEqual(words);
  });

  it.each(["'open", '"open', 'a "b', "it's"])('%j is unbalanced → null', (input) => {
    expect(splitShellWords(input)).toBeNull();
  });

  it('never throws', () => {
    expect(() => splitShellWords(null as unknown as string)).not.toThrow();
    expect(splitShellWords('a '.repeat(50_000))).toHaveLength(50_000);
  });
});

describe('round trip', () => {
  it.each([
    [['celery', '-A', 'app', 'worker', '-n', 'main-v0.13.0@%h']],
    [['-n', 'x;touch /tmp/p@h']],
    [['$(id)', '`id`', '${HOME}', '$HOME']],
    [["it's", '"quoted"', "'single'", '\\back\\slash']],
    [['new\nline', 'tab\there', 'cr\rx', '\u0000nul']],
    [['', ' ', '  ', "''"]],
    [['a && b', '; rm -rf /', '| tee', '> /etc/passwd', '# comment']],
    [['ünïcödé', '💥', '日本']],
  ])('%j survives shellJoin then splitShellWords', (words) => {
    expect(splitShellWords(shellJoin(words))).toEqual(words);
  });
});

describe('tokenizeShell in script mode', () => {
  const ops = (s: string) => tokenizeShell(s, true)?.map((t) => (t.op ? `<${t.text}>` : t.text));
  it.each([
    ['a && b', ['a', '<&&>', 'b']],
    ['a;b|c||d&e', ['a', '<;>', 'b', '<|>', 'c', '<||>', 'd', '<&>', 'e']],
    ['a\nb', ['a', '<\n>', 'b']],
    ['cmd 2>&1 >/dev/null', ['cmd']],
    ['cmd > out.log 2> err.log < in', ['cmd']],
    ['cmd &>/dev/null x', ['cmd', 'x']],
    ['cmd # a comment\nnext', ['cmd', '<\n>', 'next']],
    ['a#b', ['a#b']],
    ["echo 'a && b'", ['echo', 'a && b']],
  ])('%j → %j', (input, tokens) => {
    expect(ops(input)).toEqual(tokens);
  });
});

// A printed command is pasted into whatever shell the user runs; fish reads \' and \\ inside
// single quotes as escapes, where POSIX shells do not (testenv installs zsh and fish).
describe('a quoted word in real shells', () => {
  it.each(['sh', 'bash', 'zsh', 'fish'])('%s reads it back whole', (sh) => {
    const words = ["it's", 'a\\b', "a\\'; echo INJECTED; #", 'end\\', '\\\\', "'\\'", '$(echo X) `echo X`'];
    const out = execFileSync(sh, ['-c', `printf '%s\\0' ${shellJoin(words)}`], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(words);
  });
});
