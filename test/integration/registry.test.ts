// Heartbeat registries over real HTTP: a small node:http server on a free loopback port.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { readRegistry } from '../../src/sources/registry.js';
import { freePort } from '../helpers/redis.js';

const NOW = Math.floor(Date.now() / 1000);
const iso = (agoS: number) => new Date((NOW - agoS) * 1000).toISOString();
const coordinator = [
  { worker_id: 'gpu-loader-1', status: 'running', last_heartbeat: iso(12) },
  { worker_id: 'gpu-loader-2', status: 'running', last_heartbeat: iso(420) },
  { worker_id: 'gpu-loader-3', status: 'failed', last_heartbeat: iso(900), error: 'stale heartbeat with active tasks' },
  { worker_id: 'gpu-loader-4', status: 'failed', last_heartbeat: iso(1200), reason: 'failed to spawn' },
];
const asMap = Object.fromEntries(coordinator.map(({ worker_id, ...rest }) => [worker_id, rest]));

const routes: Record<string, string> = {
  '/list': JSON.stringify(coordinator),
  '/wrapped': JSON.stringify({ workers: coordinator }),
  '/map': JSON.stringify(asMap),
  '/garbage': '<html>502 Bad Gateway</html>',
  '/missing': JSON.stringify([{ worker_id: 'w1', status: 'running' }, { worker_id: 'w2', status: 'running', last_heartbeat: 'soon' }]),
  '/future': JSON.stringify([{ worker_id: 'w1', status: 'running', last_heartbeat: iso(-3600) }]),
  '/unauthorized': JSON.stringify({ detail: 'Unauthorized' }),
};

let server: Server;
let base: string;
const timeoutMs = 800;
const read = (path: string, extra: Partial<Parameters<typeof readRegistry>[1]> = {}) =>
  readRegistry(path.startsWith('http') ? path : `${base}${path}`, { timeoutMs, nowS: NOW, healthyS: 300, staleS: 600, ...extra });

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x').pathname;
    if (url === '/auth') {
      const ok = req.headers.authorization === `Basic ${Buffer.from('admin:hunter2').toString('base64')}`;
      return void res.writeHead(ok ? 200 : 401).end(ok ? routes['/list'] : '');
    }
    if (url === '/slow') return; // never answers
    if (url === '/slow-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      return; // headers, then nothing
    }
    if (url === '/huge') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 12 && res.write(chunk)) sent++;
        if (sent < 12) res.once('drain', () => { sent++; pump(); });
        else res.end('[]');
      };
      res.on('error', () => undefined);
      return pump();
    }
    if (url === '/boom') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      return;
    }
    const body = routes[url];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('readRegistry', () => {
  it.each(['/list', '/wrapped', '/map'])('reads the %s shape and grades by age', async (path) => {
    const res = await read(path);
    expect(res).toMatchObject({ ok: true, error: null, source: `${base}${path}` });
    const by = Object.fromEntries(res.entries.map((e) => [e.worker_id, e]));
    expect(Object.keys(by).sort()).toEqual(['gpu-loader-1', 'gpu-loader-2', 'gpu-loader-3', 'gpu-loader-4']);
    expect(by['gpu-loader-1']).toMatchObject({ state: 'healthy', age_s: 12, status: 'running', error: null });
    expect(by['gpu-loader-2']).toMatchObject({ state: 'degraded', age_s: 420 });
    expect(by['gpu-loader-3']).toMatchObject({ state: 'stale', age_s: 900, error: 'stale heartbeat with active tasks' });
    expect(by['gpu-loader-4']).toMatchObject({ state: 'stale', error: 'failed to spawn' });
    expect(res.summary).toMatchObject({
      total: 4,
      statuses: '4 workers: 2 failed, 2 running',
      errors: '1 worker: failed to spawn; 1: stale heartbeat with active tasks',
      failure_rate: 0.5,
      failing: true,
    });
  });

  it('says "not JSON" for a garbage body', async () => {
    expect(await read('/garbage')).toMatchObject({ ok: false, error: 'not JSON', entries: [] });
  });

  it('grades a missing or unreadable last_heartbeat as unknown', async () => {
    const res = await read('/missing');
    expect(res.ok).toBe(true);
    expect(res.entries.map((e) => [e.worker_id, e.state, e.problem])).toEqual([
      ['w1', 'unknown', 'no last_heartbeat'],
      ['w2', 'unknown', 'unparseable last_heartbeat'],
    ]);
  });

  it('flags a heartbeat from the future', async () => {
    const [e] = (await read('/future')).entries;
    expect(e).toMatchObject({ state: 'unknown', age_s: null, problem: 'last_heartbeat is in the future (clock skew?)' });
  });

  it('refuses a JSON document that is not a worker list', async () => {
    expect(await read('/unauthorized')).toMatchObject({ ok: false, error: expect.stringMatching(/not a list of workers/) });
  });

  it('reports an HTTP error status', async () => {
    expect(await read('/boom')).toMatchObject({ ok: false, error: 'HTTP 500 Internal Server Error' });
  });

  it.each(['/slow', '/slow-body'])('gives up on %s within the timeout', async (path) => {
    const t0 = Date.now();
    const res = await read(path);
    expect(Date.now() - t0).toBeLessThan(timeoutMs + 700);
    expect(res).toMatchObject({ ok: false, error: 'no answer within 0.8 s' });
  });

  it('throws InterruptedError when the caller aborts, without waiting for the timeout', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const t0 = Date.now();
    await expect(read('/slow', { timeoutMs: 10_000, signal: ctl.signal })).rejects.toBeInstanceOf(InterruptedError);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('reports a refused connection at once', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const res = await read(`http://127.0.0.1:${port}/api/admin/workers`);
    expect(Date.now() - t0).toBeLessThan(timeoutMs);
    expect(res).toMatchObject({ ok: false, error: 'connection refused', entries: [] });
  });

  it('refuses a body over 10 MB', async () => {
    const res = await read('/huge', { timeoutMs: 10_000 });
    expect(res).toMatchObject({ ok: false, error: 'response larger than 10 MB, not read' });
  });

  it('rejects what is not an http(s) URL, and masks secrets in the source', async () => {
    expect(await read('ftp://example.com/x')).toMatchObject({ ok: false, error: 'not an http(s) URL' });
    const res = await read(`${base.replace('http://', 'http://admin:hunter2@')}/auth?token=abc&page=1`);
    expect(res.ok).toBe(true);
    expect(res.source).not.toMatch(/hunter2|abc/);
    expect(res.source).toContain('page=1');
  });
});
