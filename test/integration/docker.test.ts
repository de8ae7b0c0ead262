// The Docker source against the real dockerd: worker containers of every
// shape, a container that must not even be inspected, and engines that fail.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { shellJoin } from '../../src/util/shell.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerFindings } from '../../src/model/containers/containers.js';
import type { ContainerRecord } from '../../src/model/types.js';
import { gatherDocker, type DockerEngineResult } from '../../src/sources/docker/containers.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis.js';
import { docker, runHostContainer, testEnv, tlsEnv } from '../helpers/testenv.js';

const SOCK = '/var/run/docker.sock';
const RUN = `fdt-docker-${process.pid}`;
const tmp = mkdtempSync('/tmp/fdt-docker-');
let redis: RedisServer;
let proxy: { endpoint: string; requests: string[]; close(): Promise<void> };
const ids: Record<string, string> = {};
// ~100 KB of odd words after a worker's sh -c: quotes, backslashes, another `celery worker -n`.
const PAD = Array.from({ length: 2400 }, (_, i) => `x${i}'"\\ celery worker -n evil@%h ünï $(id) ;`).join(' ').split(' ');

// Every container shares the host network (to reach the loopback redis) unless told otherwise.
async function run(key: string, args: string[], cmd: string[], network = 'host'): Promise<string> {
  const { image, state } = testEnv();
  const res = await docker(['run', '-d', '--name', `${RUN}-${key}`, '--network', network, '--label', 'fleetdoc-test=1',
    '--label', `fleetdoc-test.state=${state}`, ...args, image, ...cmd]);
  if (res.exitCode !== 0) throw new Error(`docker run ${key}: ${res.stderr}`);
  ids[key] = res.stdout.trim();
  return ids[key];
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const inRoster = async (name: string) => (await redis.client.sismember('_kombu.binding.celery.pidbox', `\x06\x16\x06\x16${name}.celery.pidbox`)) === 1;
const inspectField = async (id: string, format: string) => (await docker(['inspect', '-f', format, id])).stdout.trim();

// A unix socket in front of dockerd that logs every request, to count inspect calls honestly.
async function countingProxy(path: string) {
  const requests: string[] = [];
  const server: HttpServer = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const up = request({ socketPath: SOCK, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(path, r));
  return { endpoint: `unix://${path}`, requests, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

beforeAll(async () => {
  redis = await startRedis();
  proxy = await countingProxy(`${tmp}/proxy.sock`);
  const b = redis.url;
  await Promise.all([
    run('stray', ['--hostname', 'fdt-stray-host'], ['celery', '-b', b, 'worker', '--loglevel=warning']),
    run('nohost', [], ['celery', '-b', b, 'worker', '--loglevel=warning', '-n', 'nohost-v0.13.0@%h']),
    run('idhost', [], ['celery', '-b', 'redis://127.0.0.1:1/0', 'worker', '--loglevel=warning'], 'none'),
    run('versioned', ['--hostname', 'fdt-ver-host'], ['celery', '-b', b, 'worker', '-n', 'main-v0.13.0@%h', '-Q', 'alpha,beta', '-c', '2', '--loglevel=warning']),
    run('shc', ['--hostname', 'fdt-shc-host'], ['sh', '-c', `exec celery -b ${b} worker -n shc-v0.13.0@%h --loglevel=warning`]),
    run('oom', ['--hostname', 'fdt-oom-host', '--memory', '96m', '--memory-swap', '96m', '--restart', 'always'],
      ['sh', '-c', `python3 -c 'b = bytearray(400 * 1024 * 1024)' && exec celery -b ${b} worker -n oom-v0.13.0@%h`]),
    run('exited', ['--label', 'fleetdoc.worker=true'], ['sh', '-c', 'echo boom-out; echo boom-err >&2; exit 1']),
    run('tty', ['-t', '--label', 'fleetdoc.worker=true'], ['sh', '-c', 'echo tty-line; exit 3']),
    run('sleep', [], ['sleep', '300']),
    run('label', ['--hostname', 'fdt-label-host', '--label', 'org.opencontainers.image.version=0.12.0'], ['celery', '-b', b, 'worker', '-n', 'label-v0.13.0@%h', '--loglevel=warning']),
    run('huge', ['--hostname', 'fdt-huge-host'], ['sh', '-c', `exec celery -b ${b} worker -n huge-v0.13.0@%h --loglevel=warning`, 'sh', ...PAD]),
  ]);
  const host = await inspectField(ids.nohost, '{{.Config.Hostname}}');
  for (const name of ['celery@fdt-stray-host', `nohost-v0.13.0@${host}`, 'main-v0.13.0@fdt-ver-host', 'shc-v0.13.0@fdt-shc-host', 'label-v0.13.0@fdt-label-host', 'huge-v0.13.0@fdt-huge-host']) {
    await waitFor(`${name} in the roster`, () => inRoster(name));
  }
  await waitFor('the oom container to restart twice', async () => Number(await inspectField(ids.oom, '{{.RestartCount}}')) >= 2);
  await waitFor('the exited containers', async () => (await inspectField(ids.exited, '{{.State.Status}}')) === 'exited' && (await inspectField(ids.tty, '{{.State.Status}}')) === 'exited');
}, 180_000);

afterAll(async () => {
  const all = Object.values(ids);
  if (all.length) await docker(['rm', '-f', ...all]);
  await proxy?.close();
  await redis?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const mine = (r: DockerEngineResult) => new Map(r.containers.filter((c) => c.name.startsWith(`${RUN}-`)).map((c) => [c.name.slice(RUN.length + 1), c]));

describe('worker containers on the real engine', () => {
  let result: DockerEngineResult;
  let byKey: Map<string, ContainerRecord>;
  let elapsed = 0;

  beforeAll(async () => {
    proxy.requests.length = 0;
    const t0 = Date.now();
    [result] = await gatherDocker([proxy.endpoint], { timeoutMs: 10_000, logs: 20 });
    elapsed = Date.now() - t0;
    byKey = mine(result);
  });

  it('reads the engine in one list call, inspecting only candidates, quickly', () => {
    expect(result).toMatchObject({ engine: proxy.endpoint, ok: true, error: null });
    expect(proxy.requests.filter((r) => /^GET \/containers\/json\b/.test(r))).toEqual(['GET /containers/json?all=true']);
    expect(proxy.requests.some((r) => r.includes(ids.sleep))).toBe(false);
    const inspected = proxy.requests.filter((r) => /^GET \/containers\/[0-9a-f]{64}\/json/.test(r)).map((r) => r.split('/')[2]);
    expect(inspected).toEqual(expect.arrayContaining(Object.entries(ids).filter(([k]) => k !== 'sleep').map(([, id]) => id)));
    expect(elapsed).toBeLessThan(3000);
  });

  it('leaves the non-worker container out', () => {
    expect(byKey.has('sleep')).toBe(false);
    expect([...byKey.keys()].sort()).toEqual(['exited', 'huge', 'idhost', 'label', 'nohost', 'oom', 'shc', 'stray', 'tty', 'versioned']);
  });

  it('names each worker as Celery does, which the broker confirms', async () => {
    const host = await inspectField(ids.nohost, '{{.Config.Hostname}}');
    const names = Object.fromEntries([...byKey].map(([k, c]) => [k, c.worker_name]));
    expect(names).toMatchObject({
      stray: 'celery@fdt-stray-host', nohost: `nohost-v0.13.0@${host}`, idhost: `celery@${ids.idhost.slice(0, 12)}`,
      versioned: 'main-v0.13.0@fdt-ver-host', shc: 'shc-v0.13.0@fdt-shc-host', oom: 'oom-v0.13.0@fdt-oom-host',
      label: 'label-v0.13.0@fdt-label-host', huge: 'huge-v0.13.0@fdt-huge-host',
    });
    for (const k of ['stray', 'nohost', 'versioned', 'shc', 'label', 'huge']) expect(await inRoster(names[k])).toBe(true);
  });

  it('fills in the container record', () => {
    const v = byKey.get('versioned')!;
    expect(v).toMatchObject({
      engine: proxy.endpoint, id: ids.versioned, name: `${RUN}-versioned`, image: testEnv().image, status: 'running',
      restart_count: 0, exit_code: 0, oom_killed: false, finished_at: null, compose: null, hostname: 'fdt-ver-host',
      queues: ['alpha', 'beta'], concurrency: 2, image_version: null,
    });
    expect(v.pid).toBeGreaterThan(0);
    expect(Date.parse(v.started_at!)).toBeGreaterThan(Date.now() - 600_000);
    expect(v.command.slice(0, 4)).toEqual(['celery', '-b', redis.url, 'worker']);
    expect(containerFindings(v, '0.13.0')).toEqual([]);
  });

  it('flags the stray worker with a paste-able remediation', () => {
    const s = byKey.get('stray')!;
    expect(containerFindings(s, '0.13.0')).toEqual([expect.objectContaining({
      kind: 'stray', severity: 'critical',
      // A remote engine is named with -H in every command, as in the kill plan.
      remediation: [
        { where: `docker ${proxy.endpoint}`, command: `${shellJoin(['docker', '-H', proxy.endpoint])} stop -t 10 ${RUN}-stray` },
        { where: `docker ${proxy.endpoint}`, command: `${shellJoin(['docker', '-H', proxy.endpoint])} rm ${RUN}-stray` },
      ],
    })]);
  });

  it('sees the OOM crash loop and its log', () => {
    const o = byKey.get('oom')!;
    expect(o.restart_count).toBeGreaterThanOrEqual(2);
    expect(o.oom_killed).toBe(true);
    expect(['restarting', 'running']).toContain(o.status);
    if (o.status === 'restarting') expect(o.exit_code).toBe(137);
    const [f] = containerFindings(o, '0.13.0');
    expect(f).toMatchObject({ kind: 'restart-loop', severity: 'critical' });
    expect(f.message).toMatch(/out of memory \(OOMKilled\)/);
    expect(result.logs[o.id]).toContain('Killed');
  });

  it('explains the exited container and shows its demultiplexed log', () => {
    const e = byKey.get('exited')!;
    expect(e).toMatchObject({ status: 'exited', exit_code: 1, worker_name: expect.stringMatching(/^celery@/) });
    expect(containerFindings(e, '0.13.0').map((f) => f.kind)).toEqual(['exited', 'stray']);
    // stdout and stderr lines come from two pipes: their order is Docker's to pick.
    expect([...result.logs[e.id]].sort()).toEqual(['boom-err', 'boom-out']);
    expect(result.logs[byKey.get('tty')!.id]).toEqual(['tty-line']);
    expect(result.logs[byKey.get('versioned')!.id]).toBeUndefined(); // healthy: no log fetched
  });

  it('flags an image label that disagrees with the name', () => {
    const l = byKey.get('label')!;
    expect(l.image_version).toBe('0.12.0');
    expect(containerFindings(l, '0.13.0')).toEqual([expect.objectContaining({ kind: 'label-mismatch', severity: 'warning' })]);
  });

  it('keeps a 100 KB command line whole', () => {
    const h = byKey.get('huge')!;
    expect(h.command.join(' ').length).toBeGreaterThan(100_000);
    expect(h.command.slice(3)).toEqual(['sh', ...PAD]);
  });
});

describe('engines that fail', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  const listen = async (path: string, onConnect: (s: Socket) => void) => {
    const server = createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
      onConnect(s);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(path, r));
    return `unix://${path}`;
  };

  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('reports each in one line, within the timeout, and still reads the good engine', async () => {
    const refused = `tcp://127.0.0.1:${await freePort()}`;
    // A socket file nobody listens on: bound by a process that then exits.
    execFileSync(testEnv().python, ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', `${tmp}/dead.sock`]);
    const silent = await listen(`${tmp}/silent.sock`, () => undefined);
    // Headers at once, then a byte every 100 ms: no socket timeout ever fires.
    const trickle = await listen(`${tmp}/trickle.sock`, (s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const t = setInterval(() => s.write('1\r\n \r\n'), 100);
      s.on('close', () => clearInterval(t));
    });
    const garbage = await listen(`${tmp}/garbage.sock`, (s) => s.end('garbage\r\n\r\n'));
    const notDocker = await listen(`${tmp}/json.sock`, (s) =>
      s.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{"hello":1}'));
    const answer = (status: string, body: string) => (s: Socket) =>
      s.end(`HTTP/1.1 ${status}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    const html = await listen(`${tmp}/html.sock`, answer('200 OK', '<html>hi</html>'));
    const missing404 = await listen(`${tmp}/404.sock`, answer('404 Not Found', '404 page not found'));
    const failing = await listen(`${tmp}/500.sock`, answer('500 Internal Server Error', '{"message":"the daemon\'s disk is full"}'));
    // An error page of 1 MB: its start is enough to say what went wrong.
    const huge = await listen(`${tmp}/huge.sock`, answer('502 Bad Gateway', 'x'.repeat(1 << 20)));
    const endpoints = [`unix://${SOCK}`, refused, `unix://${tmp}/dead.sock`, `unix://${tmp}/missing.sock`, silent, trickle, garbage, notDocker, html, missing404, failing, huge, 'ftp://x'];
    const t0 = Date.now();
    const results = await gatherDocker(endpoints, { timeoutMs: 1000 });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(1800); // concurrent, and bounded by the 1 s timeout
    expect(results.map((r) => r.engine)).toEqual(endpoints);
    expect(results[0]).toMatchObject({ ok: true, error: null });
    expect(mine(results[0]).size).toBe(10);
    expect(results.slice(1).map((r) => [r.ok, r.containers.length, r.error])).toEqual([
      [false, 0, `${refused}: connection refused`],
      [false, 0, `unix://${tmp}/dead.sock: connection refused (the socket exists but nothing listens: is dockerd running?)`],
      [false, 0, `unix://${tmp}/missing.sock: no such socket`],
      [false, 0, `${silent}: no answer within 1.0 s`],
      [false, 0, `${trickle}: no answer within 1.0 s`],
      [false, 0, `${garbage}: answered, but not as a Docker engine (not HTTP)`],
      [false, 0, `${notDocker}: answered, but not as a Docker engine (no container list)`],
      [false, 0, `${html}: answered, but not as a Docker engine (not JSON)`],
      [false, 0, `${missing404}: answered, but not as a Docker engine (HTTP 404)`],
      [false, 0, `${failing}: HTTP 500: the daemon's disk is full`],
      [false, 0, `${huge}: HTTP 502: ${'x'.repeat(184)}…`],
      [false, 0, 'ftp://x: not a Docker endpoint (expected unix:///path, tcp://host:port or ssh://user@host)'],
    ]);
  });

  it('stops at once when the run is cancelled', async () => {
    const silent = await listen(`${tmp}/silent2.sock`, () => undefined);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    const t0 = Date.now();
    const [r] = await gatherDocker([silent], { timeoutMs: 10_000, signal: ctl.signal });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r).toMatchObject({ ok: false, error: `${silent}: cancelled` });
  });

  it('does not let DOCKER_HOST redirect a unix endpoint', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `tcp://127.0.0.1:${await freePort()}`;
    try {
      const [r] = await gatherDocker([`unix://${SOCK}`], { timeoutMs: 5000 });
      expect(r.ok).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});

describe('an engine over tcp with DOCKER_TLS_VERIFY', () => {
  // dockerd behind a TLS terminator that demands a client certificate from the test CA, as
  // `dockerd --tlsverify` does; the bytes inside are the real engine's.
  it('reads the same workers with ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH, and refuses without them', async () => {
    const t = tlsEnv();
    const certs = `${tmp}/certs`;
    mkdirSync(certs, { recursive: true });
    copyFileSync(t.ca, `${certs}/ca.pem`);
    copyFileSync(t.clientCert, `${certs}/cert.pem`);
    copyFileSync(t.clientKey, `${certs}/key.pem`);
    const server = createTlsServer({ cert: readFileSync(t.cert), key: readFileSync(t.key), ca: readFileSync(t.ca), requestCert: true, rejectUnauthorized: true }, (sock) => {
      const up = connect(SOCK);
      sock.pipe(up).pipe(sock);
      up.on('error', () => sock.destroy());
      sock.on('error', () => up.destroy());
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const endpoint = `tcp://127.0.0.1:${port}`;
      const [r] = await gatherDocker([endpoint], { timeoutMs: 10_000, logs: 5, env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs } });
      expect(r).toMatchObject({ engine: endpoint, ok: true, error: null });
      expect([...mine(r).keys()].sort()).toEqual(['exited', 'huge', 'idhost', 'label', 'nohost', 'oom', 'shc', 'stray', 'tty', 'versioned']);
      expect([...r.logs[ids.exited]].sort()).toEqual(['boom-err', 'boom-out']);
      const [plain] = await gatherDocker([endpoint], { timeoutMs: 3000, env: {} });
      expect(plain.ok).toBe(false);
      const [missing] = await gatherDocker([endpoint], { timeoutMs: 3000, env: { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: `${tmp}/nowhere` } });
      expect(missing.error).toMatch(/DOCKER_TLS_VERIFY is set but .*nowhere\/ca\.pem cannot be read \(ENOENT\)/);
    } finally {
      server.close();
    }
  });
});

describe('an engine over ssh', () => {
  // A test "host" whose sshd offers the machine's docker CLI and socket, so
  // `docker system dial-stdio` there reaches this very engine.
  const address = `127.0.0.${100 + (process.pid % 100)}`;
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    ids.sshhost = await runHostContainer({
      name: `${RUN}-sshhost`, hostname: 'fdt-ssh-host', address, port,
      extraArgs: ['-v', '/usr/bin/docker:/usr/bin/docker:ro', '-v', `${SOCK}:${SOCK}`],
    });
  }, 60_000);

  it('reads the same workers through ssh://root@host:port, with the default key and no agent', async () => {
    const home = `${tmp}/home`;
    mkdirSync(`${home}/.ssh`, { recursive: true });
    copyFileSync(testEnv().sshKey, `${home}/.ssh/id_ed25519`);
    const endpoint = `ssh://root@${address}:${port}`;
    const [r] = await gatherDocker([endpoint], { timeoutMs: 10_000, logs: 5, env: { HOME: home } });
    expect(r).toMatchObject({ engine: endpoint, ok: true, error: null });
    expect([...mine(r).keys()].sort()).toEqual(['exited', 'huge', 'idhost', 'label', 'nohost', 'oom', 'shc', 'stray', 'tty', 'versioned']);
    expect(mine(r).get('versioned')!.engine).toBe(endpoint);
    expect([...r.logs[ids.exited]].sort()).toEqual(['boom-err', 'boom-out']);
  });

  it('says why when the host has no docker CLI', async () => {
    const bare = await freePort();
    ids.sshbare = await runHostContainer({ name: `${RUN}-sshbare`, hostname: 'fdt-ssh-bare', address, port: bare });
    const home = `${tmp}/home`;
    const endpoint = `ssh://root@${address}:${bare}`;
    const [r] = await gatherDocker([endpoint], { timeoutMs: 5000, env: { HOME: home } });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(new RegExp(`^${endpoint}: docker system dial-stdio failed on the host \\(.*docker.*not found`));
  }, 60_000);

  it('says so in one line when no key is accepted', async () => {
    const endpoint = `ssh://root@${address}:${port}`;
    const [r] = await gatherDocker([endpoint], { timeoutMs: 5000, env: { HOME: `${tmp}/nokeys` } });
    expect(r).toMatchObject({ ok: false, error: `${endpoint}: ssh authentication failed (no key in SSH_AUTH_SOCK or ~/.ssh accepted)` });
  });
});
