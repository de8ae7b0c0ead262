// A healthy fleet from the same real parts: every check ✓ and exit 0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { APP_MOUNT, startInHost, startRegistry, waitForRoster } from '../helpers/fleet.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';
import { docker, runHostContainer, testEnv } from '../helpers/testenv.js';

const E = { name: 'fdt-diag-e', hostname: 'hostE', address: '127.0.0.32', port: 2232 };
let redis: RedisServer;
let registry: Awaited<ReturnType<typeof startRegistry>>;
let args: string[];

beforeAll(async () => {
  redis = await startRedis();
  registry = await startRegistry(() => ({ workers: [{ worker_id: 'gpu-loader-1', status: 'running', last_heartbeat: new Date().toISOString() }] }));
  await runHostContainer({ ...E, extraArgs: APP_MOUNT });
  await startInHost(E.name, redis.url, 'celery -A fleetapp worker -n main-v0.13.0@%h -Q celery -c 2');
  await waitForRoster(redis.client, ['main-v0.13.0@hostE']);
  args = ['-b', redis.url, '--server-version', '0.13.0', '--docker', 'unix:///var/run/docker.sock', '--ssh-config', testEnv().sshConfig,
    '--ssh', `${E.address}:${E.port}`, '--registry', registry.url, '--listen', '4.5', '-t', '2', // two beats: all must be healthy
    // Hermetic: this fleet has no worker containers, so no container of anyone else's may count.
    '--docker-label', 'fleetdoc-test.scope=diagnose-healthy'];
}, 120_000);

afterAll(async () => {
  await docker(['rm', '-f', E.name]);
  registry?.server.close();
  await redis?.stop();
});

describe('fleetdoc diagnose on a healthy fleet', () => {
  it('exits 0 with every check ✓', async () => {
    const res = await runCli(['diagnose', ...args], { tty: true, env: { NO_COLOR: '1', LANG: 'C.UTF-8' } });
    const lines = res.stdout.trim().split('\n');
    const checks = lines.filter((l) => /^\S+ [a-z-]+: /.test(l));
    expect(checks).toHaveLength(13);
    expect(checks.every((l) => l.startsWith('✓ '))).toBe(true);
    expect(lines.at(-1)).toBe('0 critical, 0 warnings in 13 checks');
    expect(res.code).toBe(0);
  });

  it('says the same in JSON, and sees the worker through the broker and SSH at once', async () => {
    const res = await runCli(['diagnose', '--json', ...args]);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'ok', exit_code: 0, findings: [] });
    const workers = JSON.parse((await runCli(['workers', '--json', '--ssh-fast-kex', ...args.slice(0, args.indexOf('--registry'))])).stdout).workers;
    expect(workers).toMatchObject([{ name: 'main-v0.13.0@hostE', sources: ['broker', 'ssh'], process: { host: 'hostE', state: expect.stringMatching(/^[SR]/) } }]);
    expect(workers[0].process.pid).toBe(workers[0].pid);
  });
});
