// man/fleetdoc.1: current with the commander tree, free of roff warnings, and readable through man(1).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { makeContext } from '../../src/cli/context.js';
import { manPage } from '../../src/cli/docs/manpage.js';
import { buildProgram, EXAMPLES, EXIT_CODES_HELP } from '../../src/cli/program.js';
import { code, prose, text } from '../../src/cli/docs/roff.js';
import { EXIT } from '../../src/errors.js';
import { VERSION } from '../../src/version.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PAGE = join(root, 'man/fleetdoc.1');
const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
const program = () => buildProgram(makeContext({ stdout: sink(), stderr: sink(), env: {} }), () => {});
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** groff's complaints about a page: -ww turns on every warning, -t runs tbl for the exit status table. */
function roffWarnings(page: string): string {
  // The test environment exports LC_ALL=C; the page is checked as a UTF-8 terminal shows it.
  return spawnSync('groff', ['-t', '-man', '-ww', '-z'], { input: page, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } }).stderr;
}

function render(file: string): string {
  const env = { ...process.env, MANWIDTH: '80', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', MANPAGER: 'cat', PAGER: 'cat' };
  const man = spawnSync('man', ['-l', file], { encoding: 'utf8', env });
  expect(man.stderr).toBe('');
  return spawnSync('col', ['-bx'], { input: man.stdout, encoding: 'utf8' }).stdout;
}

describe('man page', () => {
  it('man/fleetdoc.1 is current (npm run docs regenerates it)', () => {
    expect(readFileSync(PAGE, 'utf8')).toBe(manPage(program(), { version: VERSION }));
  });

  it('is reproducible: no clock, the date only when given', () => {
    expect(manPage(program(), { version: '9.9.9' })).toBe(manPage(program(), { version: '9.9.9' }));
    expect(manPage(program(), { version: '9.9.9' })).toContain('.TH FLEETDOC 1 "" "fleetdoc 9.9.9" "User Commands"');
    expect(manPage(program(), { version: '9.9.9', date: '2026-01-31' })).toContain('.TH FLEETDOC 1 "2026-01-31" "fleetdoc 9.9.9"');
  });

  it.skipIf(!has('groff'))('has no roff warnings', () => {
    expect(roffWarnings(readFileSync(PAGE, 'utf8'))).toBe('');
  });

  it.skipIf(!has('man') || !has('col'))('renders with man -l: sections, every command, exit codes, environment, examples', () => {
    const page = render(PAGE);
    for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'GLOBAL OPTIONS', 'COMMANDS', 'EXIT STATUS', 'ENVIRONMENT', 'FILES', 'EXAMPLES']) {
      expect(page).toMatch(new RegExp(`^${section}$`, 'm'));
    }
    for (const cmd of program().commands.map((c) => c.name()).concat('help')) expect(page).toMatch(new RegExp(`^ {3}${cmd}$`, 'm'));
    const status = page.slice(page.indexOf('\nEXIT STATUS'), page.indexOf('\nENVIRONMENT'));
    for (const [n, what] of [['0', 'all good'], ['1', 'warnings only'], ['3', 'unknown'], ['64', 'usage error'], ['70', 'internal error']]) {
      expect(status).toMatch(new RegExp(`^ +${n} +${what}`, 'm'));
    }
    for (const v of ['CELERY_BROKER_URL', 'FLEETDOC_SERVER_VERSION', 'FLEETDOC_CONFIG', 'NO_COLOR', 'FORCE_COLOR', 'DOCKER_HOST', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'HEARTBEAT_TIMEOUT_SECONDS', 'WORKER_TIMEOUT_SECONDS']) {
      expect(page).toMatch(new RegExp(`^ {7}${v}$`, 'm'));
    }
    expect(page).toContain('~/.config/fleetdoc/config.json');
    // Examples come out exactly as typed: hyphens, quotes and backslashes intact.
    for (const line of Object.values(EXAMPLES).flat()) expect(page).toContain(line);
    expect(page).toContain('--server-version-from file');
  });

  it('takes its exit codes from the --help table, which matches errors.ts', () => {
    const codes = [...EXIT_CODES_HELP.matchAll(/^\s+(\d+)\s/gm)].map((m) => Number(m[1]));
    expect(codes).toEqual(Object.values(EXIT).filter((c) => c !== EXIT.interrupted));
    const roff = manPage(program(), { version: VERSION });
    for (const c of codes) expect(roff).toMatch(new RegExp(`^${c}@T\\{$`, 'm'));
  });

  it('renders fleetdoc.1 without warnings in the C locale too', () => {
    const man = spawnSync('man', ['-l', PAGE], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', LANG: 'C', MANPAGER: 'cat', PAGER: 'cat' } });
    expect(man.stderr).toBe('');
  });

  it('escapes roff: requests, backslashes, non-ASCII, option hyphens', () => {
    expect(text(".hidden 'quoted")).toBe("\\&.hidden 'quoted");
    expect(text("'x")).toBe("\\&'x");
    expect(text('a\\b …')).toBe('a\\eb ...');
    expect(text('✓')).toBe('\\[u2713]');
    expect(prose('(see --yes) comma-separated -TERM')).toBe('(see \\-\\-yes) comma-separated \\-TERM');
    expect(code("jq '.a | \\(.b)' -r")).toBe("jq '.a | \\e(.b)' \\-r");
  });

  it.skipIf(!has('groff') || !has('man'))('renders hostile descriptions literally and without warnings', () => {
    const odd = new Command('fleetdoc').description('.TH trouble: "quoted" \\fB not bold').option('--odd <file>', "'leading quote \\ and …");
    odd.addCommand(new Command('go').description('.SH not a section'));
    const roff = manPage(odd, { version: '1.0.0' });
    expect(roffWarnings(roff)).toBe('');
    const file = join(mkdtempSync(join(tmpdir(), 'fleetdoc-man-')), 'odd.1');
    writeFileSync(file, roff);
    const page = render(file);
    expect(page).toContain('.TH trouble: "quoted" \\fB not bold');
    expect(page).toContain("'leading quote \\ and ...");
    expect(page).toContain('.SH not a section.');
  });
});
