// The Docker side of the beat check: an inspected container into a BeatRecord. Inspect output comes
// from the engine, so garbage in it must not throw.
import type { ContainerInspectInfo } from 'dockerode';
import { describe, expect, it } from 'vitest';
import { beatRecord } from '../../src/sources/docker/beat.js';

const inspect = (env: unknown[], cmd = ['celery', '-A', 'app', 'beat']): ContainerInspectInfo => ({
  Id: 'abc', Name: '/beat1', Path: cmd[0], Args: cmd.slice(1),
  Config: { Hostname: 'h1', Env: env, Cmd: cmd, Entrypoint: null },
  State: { Running: true, Pid: 42, StartedAt: '2026-12-01T00:00:00Z' },
} as unknown as ContainerInspectInfo);

describe('beatRecord', () => {
  it('takes the broker from CELERY_BROKER_URL, masked, and skips entries that are not K=V strings', () => {
    const r = beatRecord('unix:///d.sock', inspect([7, null, 'NOEQUALS', 'CELERY_BROKER_URL=redis://:pw@r:6379/0']), Date.parse('2026-12-01T00:01:00Z') / 1000);
    expect(r).toMatchObject({ source: 'docker', pid: 42, broker_url: 'redis://:****@r:6379/0', broker_from: 'env', elapsed_s: 60, container: { name: 'beat1' } });
  });

  it('prefers -b on the command line over the environment', () => {
    const r = beatRecord('e', inspect(['BROKER_URL=redis://x:6379/1'], ['celery', '-A', 'app', '-b', 'redis://y:6379/2', 'beat']), 0);
    expect(r).toMatchObject({ broker_url: 'redis://y:6379/2', broker_from: 'argv' });
  });
});
