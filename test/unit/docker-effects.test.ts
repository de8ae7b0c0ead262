// kill's Docker effects read the engine's status code, never words in an error's text: a path or
// port holding "404" or "no such container" once made an unreachable engine read as "stopped".
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realEffects } from '../../src/actions/effects.js';
import type { BrokerClient } from '../../src/sources/broker/client.js';

let dir: string;
let server: Server;
// Each container id picks the engine's answer.
const answers: Record<string, [number, string]> = {
  gone: [404, '{"message":"No such container: gone"}'],
  stopped: [304, ''],
  notrunning: [409, '{"message":"Container notrunning is not running"}'],
  broken: [500, '{"message":"page 404: no such container in the cache, not running"}'],
  up: [200, '{"State":{"Running":true,"Status":"running"}}'],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fdt-effects-'));
  server = createServer((req, res) => {
    const id = decodeURIComponent(/^\/containers\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
    const [status, body] = answers[id] ?? [500, '{"message":"unexpected"}'];
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(join(dir, 'engine.sock'), r));
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

// realEffects on this engine (or another endpoint), closed after `use`.
async function withEffects(use: (fx: ReturnType<typeof realEffects>, engine: string) => Promise<void>, engine = `unix://${join(dir, 'engine.sock')}`): Promise<void> {
  const fx = realEffects({} as BrokerClient, { timeoutMs: 2000, sshConfig: null, fastKex: false, env: {} });
  try {
    await use(fx, engine);
  } finally {
    fx.close();
  }
}

describe('Docker effects of kill', () => {
  it('takes only a 404 as a container that is gone, and a 200 for its state', () => withEffects(async (fx, engine) => {
    expect(await fx.containerRunning(engine, 'gone')).toBe(false);
    expect(await fx.containerRunning(engine, 'up')).toBe(true);
    expect(await fx.containerRunning(engine, 'broken')).toBeNull();
  }));

  it('takes a 304, or a 409 that says not running, as already stopped; anything else is an error', () => withEffects(async (fx, engine) => {
    expect(await fx.dockerStop(engine, 'stopped', 1)).toBeNull();
    expect(await fx.dockerStop(engine, 'notrunning', 1)).toBeNull();
    expect(await fx.dockerStop(engine, 'broken', 1)).toMatch(/^docker: \(HTTP code 500\)/);
  }));

  it('reads an engine it cannot reach as unknown, whatever its path says', () => withEffects(async (fx, engine) => {
    expect(await fx.containerRunning(engine, 'gone')).toBeNull();
    expect(await fx.dockerStop(engine, 'stopped', 1)).toMatch(/^docker: /);
  }, `unix://${join(dir, 'no such container 404 not running 304.sock')}`));
});
