// Smoke test of the test environment itself (test/env/testenv.sh and
// test/helpers/testenv.ts): if this fails, every other integration test
// will too, and this one says why.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { TESTENV_SCRIPT, docker, runHostContainer, sshRun, testEnv } from '../helpers/testenv.js';

const execFileP = promisify(execFile);

describe('test environment', () => {
  const env = testEnv();
  const started: string[] = [];

  afterAll(async () => {
    if (started.length) await docker(['rm', '-f', ...started]);
  });

  it('has a python with celery and redis', async () => {
    const { stdout } = await execFileP(env.python, ['-c', 'import celery, redis; print(celery.__version__)']);
    expect(stdout.trim()).toMatch(/^5\./);
  });

  it('image runs celery', async () => {
    const r = await docker(['run', '--rm', '--label', 'fleetdoc-test=1', env.image, 'celery', '--version']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^5\.\d+\.\d+/);
  });

  it('host containers answer over ssh with their own hostname and PID namespace', async () => {
    // Two hosts on the same port, told apart by loopback address.
    const a = await runHostContainer({ name: 'fleetdoc-smoke-a', hostname: 'smoke-a', address: '127.0.0.21', port: 2222 });
    started.push(a);
    const b = await runHostContainer({ name: 'fleetdoc-smoke-b', hostname: 'smoke-b', address: '127.0.0.22', port: 2222 });
    started.push(b);

    expect((await sshRun('127.0.0.21', 2222, 'hostname')).stdout.trim()).toBe('smoke-a');
    expect((await sshRun('127.0.0.22', 2222, 'hostname')).stdout.trim()).toBe('smoke-b');

    // sshd is PID 1 in its own PID namespace, so `ps -e` shows only the container.
    const ps = await sshRun('127.0.0.21', 2222, 'ps -e -o pid=,comm=');
    expect(ps.exitCode, ps.stderr).toBe(0);
    const procs = ps.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(procs).toContainEqual(['1', 'sshd']);
    expect(procs.length).toBeLessThan(10);

    // Shared network namespace: the host's loopback is reachable from inside.
    const r = await sshRun('127.0.0.21', 2222, `python3 -c "import socket; socket.create_connection(('127.0.0.22', 2222), 2).close(); print('ok')"`);
    expect(r.stdout.trim(), r.stderr).toBe('ok');

    // Non-zero exits come back as results, not exceptions.
    expect((await sshRun('127.0.0.21', 2222, 'exit 3')).exitCode).toBe(3);
  });

  it('testenv.sh clean removes labelled containers', async () => {
    const c = await runHostContainer({ name: 'fleetdoc-smoke-c', hostname: 'smoke-c', address: '127.0.0.23', port: 2222 });
    // `clean` is `down` without stopping dockerd, so it is safe mid-run.
    await execFileP('bash', [TESTENV_SCRIPT, 'clean']);
    const left = await docker(['ps', '-aq', '--no-trunc', '--filter', 'label=fleetdoc-test=1']);
    expect(left.stdout).not.toContain(c);
    started.length = 0;
  });
});
