// The completion scripts: current with the commander tree, valid in each shell, and bash really completes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { fishCompletion, SHELLS, zshCompletion } from '../../src/cli/docs/completion.js';
import { makeContext } from '../../src/cli/context.js';
import { generatedDocs } from '../../src/cli/docs/docs.js';
import { buildProgram } from '../../src/cli/program.js';
import { runCli } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
const program = () => buildProgram(makeContext({ stdout: sink(), stderr: sink(), env: {} }), () => {});
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const FILES = { bash: 'completions/fleetdoc.bash', zsh: 'completions/_fleetdoc', fish: 'completions/fleetdoc.fish' };

function syntaxError(shell: 'bash' | 'zsh' | 'fish', text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleetdoc-completion-'));
  writeFileSync(join(dir, 'script'), text);
  const r = spawnSync(shell, [shell === 'fish' ? '--no-execute' : '-n', join(dir, 'script')], { encoding: 'utf8' });
  return r.status === 0 ? '' : r.stderr || `exit ${r.status}`;
}

/** Runs _fleetdoc as bash would for a command line whose last word is being completed. */
function bashComplete(words: string[], cwd?: string): string[] {
  const script = 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _fleetdoc; printf "%s\\n" "${COMPREPLY[@]}"';
  const r = spawnSync('bash', ['-c', script, join(root, FILES.bash), ...words], { encoding: 'utf8', cwd });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('completion scripts', () => {
  it.each(Object.values(FILES))('%s is current (npm run docs regenerates it)', (path) => {
    expect(readFileSync(join(root, path), 'utf8')).toBe(generatedDocs(program())[path]);
  });

  it('parse in bash', () => expect(syntaxError('bash', readFileSync(join(root, FILES.bash), 'utf8'))).toBe(''));
  it.skipIf(!has('zsh'))('parse in zsh', () => expect(syntaxError('zsh', readFileSync(join(root, FILES.zsh), 'utf8'))).toBe(''));
  it.skipIf(!has('fish'))('parse in fish', () => expect(syntaxError('fish', readFileSync(join(root, FILES.fish), 'utf8'))).toBe(''));

  it.each([
    [['fleetdoc', 'wor'], ['workers']],
    [['fleetdoc', 'kill', '--inc'], ['--incompatible']],
    [['fleetdoc', 'completion', ''], ['bash', 'fish', 'zsh']],
    [['fleetdoc', 'completion', 'bash', ''], []],
    [['fleetdoc', '--json', 'di'], ['diagnose']],
    // Global options before the command, with values bash splits at ':' and '='.
    [['fleetdoc', '-b', 'redis', ':', '//h', ':', '6379', 'st'], ['stale']],
    [['fleetdoc', 'queues', '--min-workers', 'gpu', '=', '2', '--q'], ['--queue']],
    // Global options after the command.
    [['fleetdoc', 'workers', '--no-c'], ['--no-color']],
    [['fleetdoc', '--broker', ''], []],
    [['fleetdoc', 'help', 'k'], ['kill']],
  ])('bash completes %j', (words, expected) => {
    expect(bashComplete(words)).toEqual(expected);
  });

  it('bash completes file names for --config, also after =', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetdoc-files-'));
    writeFileSync(join(dir, 'fleet.json'), '{}');
    expect(bashComplete(['fleetdoc', '--config', 'fl'], dir)).toEqual(['fleet.json']);
    expect(bashComplete(['fleetdoc', 'kill', '--ssh-config', '=', ''], dir)).toEqual(['fleet.json']);
  });

  it.skipIf(!has('fish'))('fish completes the command, its options and file names', () => {
    const fish = (line: string) => spawnSync('fish', ['--no-config', '-c', `source ${FILES.fish}; complete -C '${line}'`], { cwd: root, encoding: 'utf8' }).stdout;
    expect(fish('fleetdoc wor')).toMatch(/^workers\t/);
    expect(fish('fleetdoc kill --inc')).toMatch(/^--incompatible\t/);
    expect(fish('fleetdoc completion ').split('\n').filter(Boolean).sort()).toEqual(['bash', 'fish', 'zsh']);
    expect(fish('fleetdoc --config package.js')).toBe('package.json\n');
  });

  it('escape descriptions for zsh and fish', () => {
    const odd = new Command('fleetdoc').option('--odd <file>', "it's [odd]: a \\ back-slash");
    odd.addCommand(new Command('go').description("don't [x]: y"));
    const zsh = zshCompletion(odd);
    expect(zsh).toContain(`'*--odd=[it'\\''s \\[odd\\]\\: a \\\\ back-slash]:file:_files'`);
    expect(fishCompletion(odd)).toContain(`-l odd -r -F -d 'it\\'s [odd]: a \\\\ back-slash'`);
    if (has('zsh')) expect(syntaxError('zsh', zsh)).toBe('');
    if (has('fish')) {
      const out = spawnSync('fish', ['--no-config', '-c', `${fishCompletion(odd)}\ncomplete -C 'fleetdoc --od'`], { encoding: 'utf8' }).stdout;
      expect(out).toBe("--odd\tit's [odd]: a \\ back-slash\n");
    }
  });
});

describe('fleetdoc completion', () => {
  it.each(SHELLS)('%s prints the generated script', async (shell) => {
    const r = await runCli(['completion', shell]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(readFileSync(join(root, FILES[shell]), 'utf8'));
  });

  it('lists in --help the shells it accepts', () => {
    const cmd = program().commands.find((c) => c.name() === 'completion');
    expect(cmd?.registeredArguments[0].argChoices).toEqual([...SHELLS]);
  });

  it('refuses another shell with a usage error on one line', async () => {
    const r = await runCli(['completion', 'tcsh']);
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fleetdoc: no completion for shell "tcsh" \(choose bash, zsh, fish\)\n$/);
  });
});
