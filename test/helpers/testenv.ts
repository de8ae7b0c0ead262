// Helpers for integration tests that run inside the environment set up by
// test/env/testenv.sh (`npm test` wraps vitest in `testenv.sh run -- ...`).
//
// Deliberately built on node:child_process only (no execa), so the test
// helpers do not depend on the code under test or its dependencies.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface TestEnv {
  /** Docker image with celery, python3-redis, procps and sshd (e.g. fleetdoc-test:1). */
  image: string;
  /** Throwaway ed25519 private key (no passphrase). */
  sshKey: string;
  /** Its public key; installed as root's authorized_keys in host containers. */
  sshPubKey: string;
  /** ssh_config for the test hosts: key, User root, no host-key checking, BatchMode. */
  sshConfig: string;
  /** Debian's python3 (has celery); the PATH python3 may not. */
  python: string;
  /** Debian's docker client. */
  docker: string;
  /** testenv state dir; pidfiles in `${state}/pids/*.pid` are killed by `down`. */
  state: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecOptions {
  /** Kill the command after this many ms and reject (default 60 000; 0 = never). */
  timeoutMs?: number;
}

/** Absolute path of test/env/testenv.sh. */
export const TESTENV_SCRIPT = fileURLToPath(new URL('../env/testenv.sh', import.meta.url));

const ENV_VARS = {
  image: 'FLEETDOC_TEST_IMAGE',
  sshKey: 'FLEETDOC_TEST_SSH_KEY',
  sshPubKey: 'FLEETDOC_TEST_SSH_PUBKEY',
  sshConfig: 'FLEETDOC_TEST_SSH_CONFIG',
  python: 'FLEETDOC_TEST_PYTHON',
  docker: 'FLEETDOC_TEST_DOCKER',
  state: 'FLEETDOC_TEST_STATE',
} as const satisfies Record<keyof TestEnv, string>;

/** The test environment described by the FLEETDOC_TEST_* variables; throws if it is not set up. */
export function testEnv(): TestEnv {
  const missing = Object.values(ENV_VARS).filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(
      `The fleetdoc test environment is not set up (missing ${missing.join(', ')}). ` +
        'Run the tests through `npm test`, which wraps vitest in ' +
        '`bash test/env/testenv.sh run -- npx vitest run`. To run single files by hand: ' +
        '`bash test/env/testenv.sh up && set -a && . /tmp/fleetdoc-testenv/env && set +a`, ' +
        'then `npx vitest run <file>`, and `bash test/env/testenv.sh down` afterwards.',
    );
  }
  const env = {} as TestEnv;
  for (const [key, name] of Object.entries(ENV_VARS) as [keyof TestEnv, string][]) {
    env[key] = process.env[name] as string;
  }
  return env;
}

/** The throwaway CA and certificates `testenv.sh up` makes for the Redis-over-TLS tests. */
export interface TlsEnv {
  ca: string;
  /** Server certificate (SAN IP:127.0.0.1, DNS:localhost) and its key. */
  cert: string;
  key: string;
  clientCert: string;
  clientKey: string;
}

const TLS_VARS = {
  ca: 'FLEETDOC_TEST_TLS_CA',
  cert: 'FLEETDOC_TEST_TLS_CERT',
  key: 'FLEETDOC_TEST_TLS_KEY',
  clientCert: 'FLEETDOC_TEST_TLS_CLIENT_CERT',
  clientKey: 'FLEETDOC_TEST_TLS_CLIENT_KEY',
} as const satisfies Record<keyof TlsEnv, string>;

/** Apart from testEnv(): an env file written before the TLS step still serves every other test. */
export function tlsEnv(): TlsEnv {
  const missing = Object.values(TLS_VARS).filter((name) => !process.env[name]);
  if (missing.length > 0) {
    throw new Error(`The test TLS certificates are not set up (missing ${missing.join(', ')}): run \`bash test/env/testenv.sh up\` again and source its env file.`);
  }
  const env = {} as TlsEnv;
  for (const [key, name] of Object.entries(TLS_VARS) as [keyof TlsEnv, string][]) env[key] = process.env[name] as string;
  return env;
}

function exec(file: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const timeout = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (!err) {
          resolve({ stdout, stderr, exitCode: 0 });
          return;
        }
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: NodeJS.Signals | null };
        if (typeof e.code === 'number') {
          resolve({ stdout, stderr, exitCode: e.code });
        } else if (e.killed && timeout > 0) {
          reject(new Error(`${file} ${args.join(' ')}: timed out after ${timeout} ms\n${stderr}`));
        } else if (e.signal) {
          // Shell convention: 128 + signal number.
          resolve({ stdout, stderr, exitCode: 128 + (osConstants.signals[e.signal] ?? 0) });
        } else {
          reject(err); // could not start at all (ENOENT, EACCES, ...)
        }
      },
    );
  });
}

/** Run Debian's docker client (FLEETDOC_TEST_DOCKER, default /usr/bin/docker). Never rejects on a non-zero exit. */
export function docker(args: string[], opts?: ExecOptions): Promise<ExecResult> {
  return exec(process.env.FLEETDOC_TEST_DOCKER || '/usr/bin/docker', args, opts);
}

/** Run `cmd` (a remote shell command line) as root on a test host over ssh. Never rejects on a non-zero exit. */
export function sshRun(address: string, port: number, cmd: string, opts?: ExecOptions): Promise<ExecResult> {
  const { sshConfig } = testEnv();
  return exec('ssh', ['-F', sshConfig, '-p', String(port), `root@${address}`, cmd], opts);
}

export interface HostContainerOptions {
  /** Container name; an old container of that name from the tests is replaced. */
  name: string;
  /** Hostname inside the container (what `hostname` and celery's %h see). */
  hostname: string;
  /** Loopback address sshd listens on, e.g. 127.0.0.21 (any 127.x.y.z works on Linux). */
  address: string;
  /** Port sshd listens on (avoid 22 in case the machine runs its own sshd). */
  port: number;
  /** Extra `docker run` arguments, placed before the image (e.g. ['-e', 'FOO=1']). */
  extraArgs?: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Runs as PID 1 of the container: install the key, then become sshd.
// Address and port arrive as $0/$1 so nothing needs shell quoting.
const HOST_ENTRYPOINT =
  'umask 077 && mkdir -p /root/.ssh && ' +
  'printf "%s\\n" "$FLEETDOC_AUTHORIZED_KEY" > /root/.ssh/authorized_keys && ' +
  'exec /usr/sbin/sshd -D -e -o ListenAddress="$0" -o Port="$1"';

/**
 * Start an SSH test "host": a container sharing the machine's network (so its
 * sshd on `address:port` and the workers in it reach a loopback redis), with
 * its own hostname and PID namespace, sshd as PID 1, and the throwaway key
 * authorised for root. Resolves with the container id once
 * `ssh -F <config> -p <port> root@<address> true` succeeds (at most 20 s).
 * Containers are labelled so that `testenv.sh down`/`clean` removes them.
 */
export async function runHostContainer(opts: HostContainerOptions): Promise<string> {
  const env = testEnv();
  const pubkey = (await readFile(env.sshPubKey, 'utf8')).trim();

  // A container left behind by an interrupted earlier run would make the name clash.
  const old = await docker(['ps', '-aq', '--filter', `name=^/${opts.name}$`, '--filter', 'label=fleetdoc-test=1']);
  if (old.stdout.trim()) await docker(['rm', '-f', opts.name]);

  const run = await docker([
    'run', '-d',
    '--label', 'fleetdoc-test=1',
    '--label', `fleetdoc-test.state=${env.state}`,
    '--name', opts.name,
    '--network', 'host',
    // With --network host, docker 20.10 still gives the container its own UTS
    // namespace, so --hostname works (no --uts flag needed, or accepted).
    '--hostname', opts.hostname,
    '-e', `FLEETDOC_AUTHORIZED_KEY=${pubkey}`,
    ...(opts.extraArgs ?? []),
    env.image,
    '/bin/sh', '-c', HOST_ENTRYPOINT, opts.address, String(opts.port),
  ]);
  if (run.exitCode !== 0) {
    throw new Error(`docker run for host container ${opts.name} failed (exit ${run.exitCode}):\n${run.stderr}`);
  }
  const id = run.stdout.trim();

  const deadline = Date.now() + 20_000;
  let last: ExecResult | undefined;
  while (Date.now() < deadline) {
    const state = await docker(['inspect', '-f', '{{.State.Running}}', id]);
    if (state.stdout.trim() !== 'true') {
      const logs = await docker(['logs', id]);
      await docker(['rm', '-f', id]);
      throw new Error(`host container ${opts.name} exited before sshd answered:\n${logs.stdout}${logs.stderr}`);
    }
    try {
      last = await sshRun(opts.address, opts.port, 'true', { timeoutMs: 5_000 });
      if (last.exitCode === 0) return id;
    } catch {
      // ssh itself timed out: sshd not ready yet, try again
    }
    await sleep(200);
  }
  const logs = await docker(['logs', id]);
  await docker(['rm', '-f', id]);
  throw new Error(
    `host container ${opts.name}: ssh root@${opts.address} -p ${opts.port} did not succeed within 20 s\n` +
      `last ssh stderr: ${last?.stderr ?? '(none)'}\ncontainer log:\n${logs.stdout}${logs.stderr}`,
  );
}
