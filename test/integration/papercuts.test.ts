// What a new user trips over: optional option values, options before the command, hostile names
// on the terminal, repeated warnings. Real redis-server, simulated pidbox responders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module shared with the benchmark
import { startResponders } from '../../bench/responder.mjs';
import { runCli } from '../helpers/cli.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let redis: RedisServer;
const NOSOCK = { DOCKER_HOST: 'unix:///nonexistent/fdt-pc-docker.sock' };

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

async function withFleet<T>(names: string[], use: () => Promise<T>, garbage: string | null = null): Promise<T> {
  const fake = await startResponders({ url: redis.url, names, garbage });
  try {
    return await use();
  } finally {
    await fake.stop();
  }
}

describe('an option with an optional value', () => {
  it('leaves a command name after --docker alone: the command runs', () => withFleet(['a-v1.0.0@h'], async () => {
    const res = await runCli(['--docker', 'workers', '--json', '-b', redis.url, '--server-version', '1.0.0'], { env: NOSOCK });
    expect(res.stderr).not.toMatch(/Usage:/);
    expect(JSON.parse(res.stdout).workers.map((w: { name: string }) => w.name)).toEqual(['a-v1.0.0@h']);
    // The bare --docker meant the default engine, DOCKER_HOST here.
    expect(res.stderr).toMatch(/warning: docker unix:\/\/\/nonexistent\/fdt-pc-docker\.sock/);
  }));

  it('still takes an endpoint as its value', () => withFleet(['a-v1.0.0@h'], async () => {
    const res = await runCli(['--docker', 'unix:///nonexistent/other.sock', 'workers', '--json', '-b', redis.url, '--server-version', '1.0.0'], { env: NOSOCK });
    expect(res.stderr).toMatch(/docker unix:\/\/\/nonexistent\/other\.sock/);
    expect(res.stderr).not.toMatch(/fdt-pc-docker/);
    expect(JSON.parse(res.stdout).workers).toHaveLength(1);
  }));

  it('does not take a kill target as an endpoint', async () => {
    const res = await runCli(['kill', '--docker', 'nobody-v1.0.0@h', '--json', '-b', redis.url, '--server-version', '1.0.0'], { env: NOSOCK });
    expect(res.code).not.toBe(64);
    expect(JSON.parse(res.stdout).actions.map((a: { target: string }) => a.target)).toEqual(['nobody-v1.0.0@h']);
  });
});

describe("a command's option before the command", () => {
  it('is accepted when the command has it', async () => {
    const res = await runCli(['--min-workers', '3', 'queues', '--json', '--no-docker', '-b', redis.url, '--server-version', '1.0.0']);
    expect(res.code).not.toBe(64);
    expect(JSON.parse(res.stdout).queues).toEqual(expect.any(Array));
  });

  it('names the commands that have it when the command does not', async () => {
    const res = await runCli(['--registry', 'http://127.0.0.1:9/x', 'workers', '--no-docker', '-b', redis.url]);
    expect(res.code).toBe(64);
    expect(res.stderr).toBe('fleetdoc: --registry is an option of stale, kill and diagnose, not of workers\n');
  });

  it('says where to put it when no command follows', async () => {
    const res = await runCli(['--registry', 'http://127.0.0.1:9/x']);
    expect(res.code).toBe(64);
    expect(res.stderr).toMatch(/^fleetdoc: --registry is an option of stale, kill and diagnose: put it after the command/);
  });

  it('still reports an option nobody has as unknown', async () => {
    const res = await runCli(['--frobnicate', 'workers']);
    expect(res.code).toBe(64);
    expect(res.stderr).toMatch(/unknown option '--frobnicate'/);
  });
});

// Bidi override, zero-width space, C1 CSI, BOM, isolate, soft hyphen, escape.
const HOSTILE = [
  'evil\u202Egnp-v1.0.0@h',
  'ad\u200Bmin-v1.0.0@h',
  'csi\u009B31m-v1.0.0@h',
  '\uFEFFbom-v1.0.0@h',
  'iso\u2067late\u2069-v1.0.0@h',
  'soft\u00ADhy-v1.0.0@h',
  'esc\u001B[2Jx-v1.0.0@h',
];
const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/;

describe('hostile worker names', () => {
  it('reach the terminal escaped, on a TTY, piped and in stderr lines', () => withFleet(HOSTILE, async () => {
    for (const tty of [true, false]) {
      const res = await runCli(['workers', '--no-docker', '-b', redis.url], { tty, env: { LANG: 'C.UTF-8' } });
      // Colour codes are ours; nothing else may reach the terminal raw.
      expect((res.stdout + res.stderr).replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(INVISIBLE);
      expect(res.stdout).toContain('evil\\u202Egnp-v1.0.0@h');
      expect(res.stdout).toContain('csi\\u009B31m-v1.0.0@h');
      expect(res.stdout).toContain('esc\\u001B[2Jx-v1.0.0@h');
    }
  }));

  it('keep their true value in --json, written as \\u escapes', () => withFleet(HOSTILE, async () => {
    const res = await runCli(['workers', '--json', '--no-docker', '-b', redis.url, '--server-version', '1.0.0']);
    expect(res.stdout).not.toMatch(INVISIBLE);
    const names = JSON.parse(res.stdout).workers.map((w: { name: string }) => w.name);
    expect(names.sort()).toEqual([...HOSTILE].sort());
  }));

  it('are escaped in the kill plan', () => withFleet(HOSTILE, async () => {
    const res = await runCli(['kill', HOSTILE[0], '--no-docker', '-b', redis.url, '--server-version', '1.0.0']);
    expect(res.stdout + res.stderr).not.toMatch(INVISIBLE);
    expect(res.stdout).toContain('evil\\u202Egnp-v1.0.0@h');
  }));
});

describe('the same warning', () => {
  it('is printed once with a count, not once per broadcast method', () => withFleet(['w-v1.0.0@h'], async () => {
    const res = await runCli(['workers', '--json', '--no-docker', '-b', redis.url, '--server-version', '1.0.0'], { env: { LANG: 'C.UTF-8' } });
    const lines = res.stderr.split('\n').filter((l) => l.includes('could not be read'));
    expect(lines).toEqual([expect.stringMatching(/^fleetdoc: warning: skipped a reply that could not be read: .* \(×3\)$/)]);
  }, 'json'));

  it('counts with an ASCII x outside a UTF-8 locale', () => withFleet(['w-v1.0.0@h'], async () => {
    const res = await runCli(['workers', '--json', '--no-docker', '-b', redis.url, '--server-version', '1.0.0'], { env: { LC_ALL: 'C' } });
    expect(res.stderr).toMatch(/could not be read: .* \(x3\)\n/);
  }, 'json'));
});
