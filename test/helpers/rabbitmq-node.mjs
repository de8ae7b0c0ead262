// A real, private rabbitmq-server node: its own node name, AMQP, management, dist and epmd ports
// (all on 127.0.0.1), its own dirs under a temp dir, run as the `rabbitmq` user. Needs root.
// Plain JavaScript so that the benchmarks (bench/*.mjs) can start one too; tests use rabbitmq.ts.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const CTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';

/** n distinct free ports: every socket is held open until all are chosen, so none repeats. */
async function freePorts(n) {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  })));
  const ports = servers.map((srv) => srv.address().port);
  await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  return ports;
}

/** @returns {Promise<import('./rabbitmq.js').RabbitNode>} */
export async function startRabbit() {
  if (process.getuid?.() !== 0) throw new Error('startRabbit needs root (it runs the node as the rabbitmq user)');
  const [port, apiPort, distPort, epmdPort, ctlPort] = await freePorts(5);
  const dir = mkdtempSync(join(tmpdir(), 'fdt-rabbit-'));
  const node = `fdt-${randomBytes(4).toString('hex')}@localhost`;
  const cookie = randomBytes(16).toString('hex').toUpperCase();
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_management].\n');
  writeFileSync(join(dir, 'rabbitmq.conf'), [
    `listeners.tcp.default = 127.0.0.1:${port}`,
    'management.tcp.ip = 127.0.0.1',
    `management.tcp.port = ${apiPort}`,
    // Queue stats (consumers, unacked) every 0.5 s instead of 5 s, so tests need not wait long.
    'collect_statistics_interval = 500',
    'log.console = false',
    'log.file.level = warning',
    '',
  ].join('\n'));
  writeFileSync(join(dir, '.erlang.cookie'), cookie, { mode: 0o400 });
  for (const d of ['log', 'mnesia']) mkdirSync(join(dir, d));
  const uid = Number(execFileSync('id', ['-u', 'rabbitmq']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'rabbitmq']).toString().trim());
  for (const p of ['', 'enabled_plugins', 'rabbitmq.conf', '.erlang.cookie', 'log', 'mnesia']) chownSync(join(dir, p), uid, gid);
  const env = {
    PATH: process.env.PATH, LANG: 'C.UTF-8', HOME: dir, FLEETDOC_TEST: '1',
    ...(process.env.FLEETDOC_TEST_STATE ? { FLEETDOC_TEST_STATE: process.env.FLEETDOC_TEST_STATE } : {}),
    RABBITMQ_CONF_ENV_FILE: '/dev/null', RABBITMQ_NODENAME: node, RABBITMQ_BASE: dir,
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'), RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_LOG_BASE: join(dir, 'log'), RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_FEATURE_FLAGS_FILE: join(dir, 'feature_flags'), RABBITMQ_PID_FILE: join(dir, 'pid'),
    RABBITMQ_DIST_PORT: String(distPort), ERL_EPMD_PORT: String(epmdPort), ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  // Our own epmd in the foreground, so that stop() can end it by pid.
  const epmd = spawn('epmd', ['-port', String(epmdPort), '-address', '127.0.0.1'], { env, uid, gid, stdio: 'ignore' });
  const proc = spawn(SERVER, [], { cwd: dir, env, uid, gid, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => { log = (log + d).slice(-4000); });
  const ctlEnv = {
    ...env, RABBITMQ_CTL_DIST_PORT_MIN: String(ctlPort), RABBITMQ_CTL_DIST_PORT_MAX: String(ctlPort),
    RABBITMQ_CTL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  let ctlQueue = Promise.resolve();
  const get = async (path) => {
    try {
      const res = await fetch(`http://127.0.0.1:${apiPort}${path}`, {
        headers: { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64') }, signal: AbortSignal.timeout(3000),
      });
      return res.ok ? await res.json() : null;
    } catch {
      return null;
    }
  };
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
    }
    if (epmd.exitCode === null && epmd.signalCode === null) epmd.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (!(await get('/api/overview'))) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`rabbitmq-server ${node} did not come up:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    node, port, apiPort,
    url: `amqp://guest:guest@127.0.0.1:${port}//`,
    api: `http://guest:guest@127.0.0.1:${apiPort}`,
    // One rabbitmqctl at a time: each takes the node's one CLI dist port, and a second one at the
    // same moment fails with eaddrinuse.
    ctl: (...args) => {
      const run = ctlQueue.then(() => new Promise((resolve, reject) => {
        execFile(CTL, ['-n', node, '--erlang-cookie', cookie, ...args], { env: ctlEnv }, (err, stdout, stderr) =>
          err ? reject(new Error(`rabbitmqctl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout));
      }));
      ctlQueue = run.catch(() => undefined);
      return run;
    },
    get,
    stop,
  };
}
