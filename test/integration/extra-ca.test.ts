// NODE_EXTRA_CA_CERTS read late (bin/fleetdoc's launcher, src/sources/extra-ca.ts): the launcher
// itself, then every kind of TLS connection fleetdoc makes, against real TLS servers that only
// the test CA vouches for: redis-server with --tls-port, node:tls and node:https servers.
// Needs `npm run build` first (npm test does it).
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startRedisTls, type RedisServer } from '../helpers/redis.js';
import { tlsEnv, type TlsEnv } from '../helpers/testenv.js';

const BIN = fileURLToPath(new URL('../../bin/fleetdoc', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

let tls: TlsEnv;
let scratch: string;
let redis: RedisServer;
let https: { server: Server; url: string };

/** The environment of a run, without any CA variable of the machine's or NODE_OPTIONS (which turns the launcher off). */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _a, FLEETDOC_EXTRA_CA_CERTS: _b, NODE_OPTIONS: _c, ...rest } = process.env;
  return { ...rest, XDG_CACHE_HOME: join(scratch, 'cache'), ...extra };
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  tls = tlsEnv();
  scratch = await mkdtemp(join(tmpdir(), 'fleetdoc-extra-ca-'));
  redis = await startRedisTls(tls);
  const [cert, key] = await Promise.all([readFile(tls.cert), readFile(tls.key)]);
  const server = createHttpsServer({ cert, key }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(req.url?.startsWith('/api/') ? '{"rabbitmq_version":"3.12.1"}' : JSON.stringify([{ worker_id: 'w1', status: 'running', last_heartbeat: new Date().toISOString() }]));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  https = { server, url: `https://127.0.0.1:${port}` };
});

afterAll(async () => {
  https?.server.close();
  await redis?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the launcher', () => {
  // A stand-in `node` first on PATH, printing what the launcher handed it.
  async function launch(env: Record<string, string>, args: string[]) {
    const dir = join(scratch, 'fake-node');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await writeFile(join(dir, 'node'), '#!/bin/sh\nprintf "extra=%s\\n" "${NODE_EXTRA_CA_CERTS-<unset>}" "${FLEETDOC_EXTRA_CA_CERTS-<unset>}"\nfor a in "$@"; do printf "arg=[%s]\\n" "$a"; done\n');
    await chmod(join(dir, 'node'), 0o755);
    const r = await run(BIN, args, { PATH: `${dir}:/usr/bin:/bin`, ...env });
    return r.stdout.trim().split('\n');
  }

  it('moves NODE_EXTRA_CA_CERTS aside and passes every argument through as it was', async () => {
    const args = ['workers', 'two words', '', "it's", '$HOME', '--json'];
    expect(await launch({ NODE_EXTRA_CA_CERTS: '/etc/my ca.pem' }, args)).toEqual([
      'extra=<unset>', 'extra=/etc/my ca.pem', `arg=[${BIN}]`, ...args.map((a) => `arg=[${a}]`),
    ]);
  });

  it('leaves the environment alone without NODE_EXTRA_CA_CERTS, or when NODE_OPTIONS is set', async () => {
    expect(await launch({}, ['queues'])).toEqual(['extra=<unset>', 'extra=<unset>', `arg=[${BIN}]`, 'arg=[queues]']);
    expect(await launch({ NODE_EXTRA_CA_CERTS: '/ca.pem', NODE_OPTIONS: '--use-openssl-ca' }, ['queues']))
      .toEqual(['extra=/ca.pem', 'extra=<unset>', `arg=[${BIN}]`, 'arg=[queues]']);
  });
});

describe('TLS trusts the deferred CAs', () => {
  const rediss = () => ['workers', '--json', '--no-docker', '-t', '3', '-b', `rediss://127.0.0.1:${redis.port}/0`];

  it('on rediss://, through the launcher as installed', async () => {
    const r = await run(BIN, rediss(), cleanEnv({ NODE_EXTRA_CA_CERTS: tls.ca }));
    expect(r.stderr).not.toMatch(/TLS/);
    expect(JSON.parse(r.stdout).workers).toEqual([]);
  });

  it('on rediss://, from FLEETDOC_EXTRA_CA_CERTS alone: fleetdoc, not Node, adds them', async () => {
    const r = await run('node', [BIN, ...rediss()], cleanEnv({ FLEETDOC_EXTRA_CA_CERTS: tls.ca }));
    expect(r.stderr).not.toMatch(/TLS/);
    expect(JSON.parse(r.stdout).workers).toEqual([]);
  });

  it('and without them the same server is refused (the check above can fail)', async () => {
    const r = await run(BIN, rediss(), cleanEnv({}));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/TLS certificate problem/);
  });

  it('says so, and goes on, when the file cannot be read, as Node does', async () => {
    const r = await run(BIN, rediss(), cleanEnv({ NODE_EXTRA_CA_CERTS: join(scratch, 'missing.pem') }));
    expect(r.stderr).toMatch(/warning: ignoring extra certs from NODE_EXTRA_CA_CERTS ".*missing\.pem": ENOENT/);
    expect(r.stderr).toMatch(/TLS certificate problem/);
  });

  it('on amqps://: the handshake completes only with them', async () => {
    const [cert, key] = await Promise.all([readFile(tls.cert), readFile(tls.key)]);
    let handshakes = 0;
    // Not RabbitMQ: it ends each connection once TLS is up, which is all this test asks of it.
    const server = createTlsServer({ cert, key }, (sock) => {
      handshakes++;
      sock.destroy();
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const args = ['workers', '--json', '--no-docker', '-t', '2', '-b', `amqps://guest:guest@127.0.0.1:${port}//`];
      await run(BIN, args, cleanEnv({}));
      expect(handshakes).toBe(0);
      await run(BIN, args, cleanEnv({ NODE_EXTRA_CA_CERTS: tls.ca }));
      expect(handshakes).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });

  // fetch: the module entry points in a fresh Node, as the launcher leaves it.
  async function viaModule(body: string, env: Record<string, string>): Promise<unknown> {
    const script = join(scratch, `probe-${Math.random().toString(36).slice(2)}.mjs`);
    await writeFile(script, `import { takeDeferredCAs } from ${JSON.stringify(join(DIST, 'sources/extra-ca.js'))};\n`
      + `takeDeferredCAs(process.env, (w) => console.error(w));\n${body}\n`);
    const r = await run('node', [script], cleanEnv(env));
    if (r.code !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout);
  }

  it('on an https:// heartbeat registry', async () => {
    const body = `import { readRegistry } from ${JSON.stringify(join(DIST, 'sources/registry.js'))};\n`
      + `const r = await readRegistry(${JSON.stringify(`${https.url}/workers`)}, { timeoutMs: 3000, nowS: Date.now() / 1000, healthyS: 300, staleS: 600 });\n`
      + 'console.log(JSON.stringify({ ok: r.ok, error: r.error, n: r.entries.length }));';
    expect(await viaModule(body, { FLEETDOC_EXTRA_CA_CERTS: tls.ca })).toEqual({ ok: true, error: null, n: 1 });
    expect(await viaModule(body, {})).toMatchObject({ ok: false, error: expect.stringMatching(/certificate|verify/i) });
  });

  it('on an https:// RabbitMQ management API', async () => {
    const body = `import { managementApi } from ${JSON.stringify(join(DIST, 'sources/broker/amqp/mgmt.js'))};\n`
      + `import { parseBrokerUrl } from ${JSON.stringify(join(DIST, 'sources/broker/url.js'))};\n`
      + `const t = parseBrokerUrl('amqp://guest:guest@127.0.0.1//', { rabbitmq_api: ${JSON.stringify(https.url)} });\n`
      + "const r = await managementApi(t, 3000).get('/api/overview');\n"
      + 'console.log(JSON.stringify(r));';
    expect(await viaModule(body, { FLEETDOC_EXTRA_CA_CERTS: tls.ca })).toEqual({ ok: true, data: { rabbitmq_version: '3.12.1' } });
    expect(await viaModule(body, {})).toMatchObject({ ok: false });
  });
});
