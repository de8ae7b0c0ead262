// A real, private rabbitmq-server node per test file: its own node name, AMQP, management, dist and
// epmd ports (all on 127.0.0.1), its own dirs, run as the `rabbitmq` user. Needs root.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis.js';

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const CTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';

export interface RabbitNode {
  node: string;
  port: number;
  apiPort: number;
  /** amqp://guest:guest@127.0.0.1:<port>// */
  url: string;
  /** http://guest:guest@127.0.0.1:<apiPort> */
  api: string;
  /** rabbitmqctl against this node, e.g. ctl('list_queues', 'name'). */
  ctl(...args: string[]): Promise<string>;
  /** GET a management API path as guest; null on any HTTP error. */
  get(path: string): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startRabbit(): Promise<RabbitNode> {
  if (process.getuid?.() !== 0) throw new Error('startRabbit needs root (it runs the node as the rabbitmq user)');
  const [port, apiPort, distPort, epmdPort, ctlPort] = await Promise.all([0, 0, 0, 0, 0].map(() => freePort()));
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
  const env: NodeJS.ProcessEnv = {
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
  const proc: ChildProcess = spawn(SERVER, [], { cwd: dir, env, uid, gid, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => { log = (log + d).slice(-4000); });
  const ctlEnv = {
    ...env, RABBITMQ_CTL_DIST_PORT_MIN: String(ctlPort), RABBITMQ_CTL_DIST_PORT_MAX: String(ctlPort),
    RABBITMQ_CTL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  const get = async (path: string) => {
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
    ctl: (...args) => new Promise((resolve, reject) => {
      execFile(CTL, ['-n', node, '--erlang-cookie', cookie, ...args], { env: ctlEnv }, (err, stdout, stderr) =>
        err ? reject(new Error(`rabbitmqctl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout));
    }),
    get,
    stop,
  };
}

/** Queues, exchanges and bindings of the default vhost, to prove a run changed nothing. */
export async function rabbitSnapshot(r: RabbitNode): Promise<{ queues: string[]; exchanges: string[]; bindings: string[] }> {
  const json = async (...args: string[]) => {
    const rows = JSON.parse(await r.ctl(...args, '-q', '--formatter', 'json')) as Record<string, unknown>[];
    return rows.map((row) => JSON.stringify(row)).sort();
  };
  const [queues, exchanges, bindings] = await Promise.all([
    json('list_queues', 'name', 'durable', 'auto_delete', 'exclusive', 'arguments', 'messages'),
    json('list_exchanges', 'name', 'type', 'durable', 'auto_delete'),
    json('list_bindings'),
  ]);
  return { queues, exchanges, bindings };
}

/** Ready once the worker's pidbox queue exists and the API counts its consumer. */
export function pidboxReady(r: RabbitNode): (name: string) => Promise<boolean> {
  return async (name) => {
    const q = (await r.get(`/api/queues/%2F/${encodeURIComponent(`${name}.celery.pidbox`)}`)) as { consumers?: number } | null;
    return (q?.consumers ?? 0) >= 1;
  };
}
