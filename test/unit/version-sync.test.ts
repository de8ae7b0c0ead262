// One version everywhere: package.json, src/version.ts (bundled into the CLI) and --version.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { runCli } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('version', () => {
  it('src/version.ts matches package.json', () => {
    expect(VERSION).toBe(pkg.version);
  });

  it.each([['--version'], ['-V']])('fleetdoc %s prints the package version', async (flag) => {
    expect(await runCli([flag])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });
});

describe('help and usage errors of subcommands', () => {
  it('go to the streams main() was given', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const help = await runCli(['kill', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: fleetdoc kill/);
    expect(help.stdout).toMatch(/Exit codes:/);
    const bad = await runCli(['queues', '--min-workers']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/argument missing/);
  });
});
