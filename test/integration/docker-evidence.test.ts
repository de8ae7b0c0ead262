// Broker and restart evidence from a real Docker engine: Config.Env and -b
// read into broker_url (masked), the restart policy and compose labels into
// the supervisor. The workers run with --network none: they only retry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DOCKER_ENDPOINT } from '../../src/model/containers/containers.js';
import { restartsAfterKill, stopCommand } from '../../src/model/worker/supervisor.js';
import type { ContainerRecord } from '../../src/model/types.js';
import { gatherDocker } from '../../src/sources/docker/containers.js';
import { docker, testEnv } from '../helpers/testenv.js';

const RUN = `fdt-pr-docker-${process.pid}`;
const QUIET = ['--loglevel=warning', '--without-mingle', '--without-gossip'];

async function run(key: string, args: string[], cmd: string[]): Promise<void> {
  const { image, state } = testEnv();
  const res = await docker(['run', '-d', '--name', `${RUN}-${key}`, '--network', 'none', '--label', 'fleetdoc-test=1',
    '--label', `fleetdoc-test.state=${state}`, ...args, image, ...cmd]);
  if (res.exitCode !== 0) throw new Error(`docker run ${key}: ${res.stderr}`);
}

let mine: Map<string, ContainerRecord>;

beforeAll(async () => {
  await run('env', [
    '--restart', 'unless-stopped', '-e', 'CELERY_BROKER_URL=redis://:envpw@127.0.0.1:1/3', '-e', 'OTHER_SECRET=never-read-this',
    '--label', 'com.docker.compose.project=fdtpr', '--label', 'com.docker.compose.service=worker',
    '--label', 'com.docker.compose.project.config_files=/srv/compose.yml', '--label', 'com.docker.compose.project.working_dir=/srv',
  ], ['celery', 'worker', '-n', 'env@%h', ...QUIET]);
  await run('argv', ['-e', 'BROKER_URL=redis://127.0.0.1:1/9'], ['celery', '-b', 'redis://:argvpw@127.0.0.1:1/0', 'worker', '-n', 'argv@%h', ...QUIET]);
  const [result] = await gatherDocker([DEFAULT_DOCKER_ENDPOINT], { timeoutMs: 20_000 });
  expect(result.ok).toBe(true);
  mine = new Map(result.containers.filter((c) => c.name.startsWith(`${RUN}-`)).map((c) => [c.name.slice(RUN.length + 1), c]));
}, 120_000);

afterAll(async () => {
  await docker(['rm', '-f', `${RUN}-env`, `${RUN}-argv`]);
});

describe('containers', () => {
  it('reads CELERY_BROKER_URL from Config.Env, masked, and nothing else of the environment', () => {
    const c = mine.get('env')!;
    expect(c).toMatchObject({ broker_url: 'redis://:****@127.0.0.1:1/3', broker_from: 'env', restart_policy: 'unless-stopped' });
    expect(JSON.stringify(c)).not.toMatch(/envpw|never-read-this/);
  });

  it('a compose service: kind compose with its restart policy; the stop command names project and service', () => {
    const c = mine.get('env')!;
    expect(c.compose).toEqual({ project: 'fdtpr', service: 'worker', working_dir: '/srv', config_files: '/srv/compose.yml' });
    expect(c.supervisor).toEqual({ kind: 'compose', name: 'fdtpr/worker', restart: 'unless-stopped' });
    expect(stopCommand(c.supervisor)).toEqual(['docker', 'compose', '-p', 'fdtpr', 'stop', 'worker']);
    expect(restartsAfterKill(c.supervisor)).toBe(true);
  });

  it('-b on the command line wins over BROKER_URL; no restart policy is "no"', () => {
    const c = mine.get('argv')!;
    expect(c).toMatchObject({ broker_url: 'redis://:****@127.0.0.1:1/0', broker_from: 'argv', restart_policy: 'no' });
    expect(c.supervisor).toEqual({ kind: 'docker', name: `${RUN}-argv`, restart: 'no' });
    expect(restartsAfterKill(c.supervisor)).toBe(false);
  });
});
