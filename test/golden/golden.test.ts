// Golden output of every command on one fixed fleet (fake sources, fixed clock): on a terminal,
// piped, and as JSON. A change to any printed line shows as a diff here. UPDATE_GOLDEN=1 rewrites.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FLAGS, goldenSources, NOW } from './fleet.js';

const DIR = fileURLToPath(new URL('./out/', import.meta.url));
const MODES = {
  tty: { tty: true, env: { NO_COLOR: '1', LANG: 'C.UTF-8' }, extra: [] as string[] },
  piped: { tty: false, env: { LANG: 'C.UTF-8' }, extra: [] as string[] },
  json: { tty: false, env: {}, extra: ['--json'] },
};
const COMMANDS: Record<string, string[]> = {
  workers: ['workers'],
  queues: ['queues'],
  stale: ['stale', '--listen', '2.5'],
  kill: ['kill', '--incompatible', '--stale'],
  diagnose: ['diagnose', '--listen', '2.5', '-v'],
};

describe.each(Object.entries(COMMANDS))('%s', (name, args) => {
  it.each(Object.keys(MODES) as (keyof typeof MODES)[])('%s', async (mode) => {
    const m = MODES[mode];
    const res = await runCli([...FLAGS, ...args, ...m.extra], { tty: m.tty, env: m.env, sources: goldenSources, now: () => NOW });
    const text = `$ fleetdoc ${[...args, ...m.extra].join(' ')}\n--- exit ${res.code}\n--- stdout\n${res.stdout}--- stderr\n${res.stderr}`;
    const file = `${DIR}${name}.${mode}.txt`;
    if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
      mkdirSync(DIR, { recursive: true });
      writeFileSync(file, text);
    }
    expect(text).toBe(readFileSync(file, 'utf8'));
    if (mode === 'json') expect(() => JSON.parse(res.stdout)).not.toThrow();
  });
});
