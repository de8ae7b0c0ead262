// The installed entry point, bin/fleetdoc, on the built bundle: its V8 code cache, and import()
// of external modules from cached code. Needs `npm run build` first (npm test does it).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS module shared with the benchmark
import { startResponders } from '../../bench/responder.mjs';
import { freePort, startRedis, type RedisServer } from '../helpers/redis.js';

const BIN = fileURLToPath(new URL('../../bin/fleetdoc', import.meta.url));
const run = promisify(execFile);
let redis: RedisServer;
let fake: { stop(): Promise<void> };
let cache: string;

beforeAll(async () => {
  redis = await startRedis();
  fake = await startResponders({ url: redis.url, names: ['a-v1.0.0@h', 'b-v1.0.0@h'] });
  cache = mkdtempSync(join(tmpdir(), 'fdt-pc-cache-'));
});

afterAll(async () => {
  await fake?.stop();
  await redis?.stop();
  rmSync(cache, { recursive: true, force: true });
});

async function fleetdoc(args: string[], env: Record<string, string> = {}) {
  const { NODE_DISABLE_COMPILE_CACHE: _, ...rest } = process.env;
  try {
    const r = await run('node', [BIN, ...args], { env: { ...rest, XDG_CACHE_HOME: cache, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A run, and the built-in modules it had loaded by its end (printed by a preload of our own). */
async function withModules(args: string[]) {
  const preload = join(cache, 'modules.cjs');
  writeFileSync(preload, "process.on('exit', () => process.stderr.write('MODULES ' + process.moduleLoadList.join(',') + '\\n'));\n");
  const res = await fleetdoc(args, { NODE_OPTIONS: `--require ${preload}` });
  const loaded = new Set(/MODULES (.*)/.exec(res.stderr)![1].split(',').filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)));
  return { res, loaded };
}

const names = (stdout: string) => JSON.parse(stdout).workers.map((w: { name: string }) => w.name);
const workers = ['workers', '--json', '-b', '', '--server-version', '1.0.0'];

describe('bin/fleetdoc', () => {
  it('writes a code cache on the first run and runs from it on the next, with the same answer', async () => {
    const args = workers.map((a) => a || redis.url);
    const first = await fleetdoc([...args, '--no-docker'], { FLEETDOC_TIMINGS: '1' });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/timings \(ms\): node \d+, bundle-read \+\d+, bundle-compiled/);
    const files = readdirSync(join(cache, 'fleetdoc'));
    expect(files).toEqual([expect.stringMatching(/^v\d+.*-workers\.v8$/)]);
    const second = await fleetdoc([...args, '--no-docker'], { FLEETDOC_TIMINGS: '1' });
    expect(second.stderr).toMatch(/bundle-from-cache \+\d+/);
    expect(names(second.stdout)).toEqual(names(first.stdout));
    expect(names(second.stdout)).toEqual(['a-v1.0.0@h', 'b-v1.0.0@h']);
  });

  it('loads no built-in module a plain workers run does not use (each costs start-up time)', async () => {
    const { res, loaded } = await withModules([...workers.map((a) => a || redis.url), '--no-docker']);
    expect(res.code).toBe(0);
    expect(loaded.has('net')).toBe(true); // the list is real: the broker connection needs net
    for (const lazy of ['tls', 'crypto', 'assert', 'dns', 'child_process', 'internal/fs/promises', 'readline']) expect(loaded.has(lazy), lazy).toBe(false);
  });

  it('loads an external module (amqplib) with import() from cached code', async () => {
    const closed = `amqp://guest:guest@127.0.0.1:${await freePort()}//`;
    const args = workers.map((a) => a || closed);
    for (let i = 0; i < 2; i++) {
      const res = await fleetdoc([...args, '--no-docker']);
      expect(res.stderr).toMatch(/refused/);
      expect(res.stderr).not.toMatch(/cannot find|dynamic import|internal error/i);
    }
  });

  it('reads a Docker engine without loading a client library (dockerode took ~190 ms to load)', async () => {
    const { res, loaded } = await withModules([...workers.map((a) => a || redis.url), '--docker', 'unix:///nonexistent/fdt-pc.sock']);
    expect(res.stderr).toMatch(/warning: docker unix:\/\/\/nonexistent\/fdt-pc\.sock: .*no such socket/);
    expect(loaded.has('http')).toBe(true); // the engine was asked, over node:http
    // dockerode loaded BuildKit's gRPC client (http2) and ssh2 (crypto) before it even connected.
    for (const lazy of ['http2', 'crypto', 'zlib']) expect(loaded.has(lazy), lazy).toBe(false);
  });

  it('exits quietly when the reader of stdout stops early', async () => {
    // The race (help written after head has gone) is won often enough in five runs.
    for (let i = 0; i < 5; i++) {
      const { stdout, stderr } = await run('sh', ['-c', `node '${BIN}' --help | head -1`], { env: { ...process.env, XDG_CACHE_HOME: cache } });
      expect(stdout).toBe('Usage: fleetdoc [options] [command]\n');
      expect(stderr).toBe('');
    }
  });

  it('writes no cache with NODE_DISABLE_COMPILE_CACHE', async () => {
    const own = mkdtempSync(join(tmpdir(), 'fdt-pc-nocache-'));
    try {
      const res = await fleetdoc(['--version'], { XDG_CACHE_HOME: own, NODE_DISABLE_COMPILE_CACHE: '1' });
      expect(res.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      expect(readdirSync(own)).toEqual([]);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
