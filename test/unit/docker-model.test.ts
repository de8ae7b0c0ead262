import { describe, expect, it } from 'vitest';
import { containerFindings, explainExit, needsLogs } from '../../src/model/containers/containers.js';
import type { ContainerRecord } from '../../src/model/types.js';
import { splitShellWords } from '../../src/util/shell.js';

const ENGINE = 'unix:///var/run/docker.sock';
const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function rec(over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    engine: ENGINE, id: 'a'.repeat(64), name: 'w1', image: 'ghcr.io/x/w:latest', status: 'running',
    restart_count: 0, exit_code: 0, oom_killed: false, started_at: ago(3600), finished_at: null, compose: null,
    hostname: 'box', command: ['celery', '-A', 'app', 'worker', '-n', 'main-v0.13.0@%h'], worker_name: 'main-v0.13.0@box',
    queues: null, concurrency: null, image_version: null, pid: 42, ...over,
  };
}

const kinds = (c: ContainerRecord, server: string | null = '0.13.0') => containerFindings(c, server).map((f) => `${f.kind}:${f.severity}`);

describe('explainExit', () => {
  it.each([
    [137, true, 'exit 137, killed by SIGKILL: out of memory (OOMKilled)'],
    [0, true, 'exit 137, killed by SIGKILL: out of memory (OOMKilled)'],
    [1, true, 'exit 1, application error; a process in it ran out of memory (OOMKilled)'],
    [137, false, 'exit 137, killed by SIGKILL'],
    [143, false, 'exit 143, stopped by SIGTERM'],
    [1, false, 'exit 1, application error'],
    [126, false, 'exit 126, the command could not be run'],
    [127, false, 'exit 127, the command could not be run'],
    [3, false, 'exit 3'],
    [null, false, 'exit code unknown'],
  ])('%j (oom %j) → %j', (code, oom, text) => expect(explainExit(code, oom)).toBe(text));
});

describe('containerFindings', () => {
  it.each<[string, Partial<ContainerRecord>, string | null, string[]]>([
    ['healthy and versioned', {}, '0.13.0', []],
    ['restarting', { status: 'restarting', restart_count: 1, exit_code: 1 }, '0.13.0', ['restart-loop:critical']],
    ['running after 3 restarts', { restart_count: 3 }, '0.13.0', ['restart-loop:critical']],
    ['running after 2 restarts', { restart_count: 2 }, '0.13.0', []],
    ['exited after 5 restarts', { status: 'exited', restart_count: 5, exit_code: 0 }, '0.13.0', []],
    ['OOM-killed once, exited', { status: 'exited', exit_code: 137, oom_killed: true }, '0.13.0', ['oom:warning']],
    ['OOM-killed and looping', { status: 'restarting', restart_count: 4, exit_code: 137, oom_killed: true }, '0.13.0', ['restart-loop:critical']],
    ['exited 1', { status: 'exited', exit_code: 1 }, '0.13.0', ['exited:warning']],
    ['exited 0', { status: 'exited', exit_code: 0 }, '0.13.0', []],
    ['unversioned, running', { worker_name: 'celery@box', command: ['celery', 'worker'] }, '0.13.0', ['stray:critical']],
    ['unversioned, exited', { worker_name: 'celery@box', status: 'exited', exit_code: 0 }, '0.13.0', ['stray:warning']],
    ['unversioned, no server version', { worker_name: 'celery@box' }, null, ['stray:critical']],
    ['behind the server', { worker_name: 'main-v0.12.0@box' }, '0.13.0', ['stray:critical']],
    ['versioned, no server version', {}, null, []],
    ['label disagrees', { image_version: '0.12.0' }, '0.13.0', ['label-mismatch:warning']],
    ['label agrees (v prefix)', { image_version: 'v0.13.0' }, '0.13.0', []],
    ['label on an unversioned name', { image_version: '0.12.0', worker_name: 'celery@box' }, '0.13.0', ['stray:critical']],
  ])('%s', (_what, over, server, expected) => expect(kinds(rec(over), server)).toEqual(expected));

  it('explains the exit of a restart loop, OOM included', () => {
    const [f] = containerFindings(rec({ status: 'restarting', restart_count: 4, exit_code: 137, oom_killed: true }), '0.13.0');
    expect(f.message).toBe('container w1 is crash-looping (restarting, 4 restarts; last exit 137, killed by SIGKILL: out of memory (OOMKilled))');
    expect(f.remediation).toEqual([{ where: `docker ${ENGINE}`, command: 'docker logs --tail 50 w1' }]);
  });

  it('does not quote a reset exit code of a running container', () => {
    expect(containerFindings(rec({ restart_count: 5 }), '0.13.0')[0].message).toBe('container w1 is crash-looping (running, 5 restarts)');
  });

  it('gives stop, then rm, with the name shell-quoted', () => {
    const name = "w'1; rm -rf /";
    const f = containerFindings(rec({ name, worker_name: 'celery@box' }), '0.13.0').find((x) => x.kind === 'stray')!;
    expect(f.remediation).toEqual([
      { where: `docker ${ENGINE}`, command: `docker stop -t 10 'w'\\''1; rm -rf /'` },
      { where: `docker ${ENGINE}`, command: `docker rm 'w'\\''1; rm -rf /'` },
    ]);
    expect(splitShellWords(f.remediation[0].command)).toEqual(['docker', 'stop', '-t', '10', name]);
  });

  it('names a remote engine with -H, quoted', () => {
    const f = containerFindings(rec({ engine: 'tcp://gpu box:2376', worker_name: 'celery@box' }), '0.13.0').find((x) => x.kind === 'stray')!;
    expect(f.remediation[0].command).toBe("docker -H 'tcp://gpu box:2376' stop -t 10 w1");
  });

  it('for a compose service, gives the corrected -n and the recreate command', () => {
    const c = rec({
      worker_name: 'celery@box',
      command: ['sh', '-c', 'exec celery -A app worker -Q a,b'],
      compose: { project: 'my proj', service: 'worker', working_dir: '/srv/app', config_files: '/srv/app/compose.yaml' },
    });
    const f = containerFindings(c, '0.13.0').find((x) => x.kind === 'stray')!;
    expect(f.remediation).toEqual([
      { where: `docker ${ENGINE}`, command: 'docker stop -t 10 w1' },
      { where: `docker ${ENGINE}`, command: 'docker rm w1' },
      { where: '/srv/app/compose.yaml, service worker: command', command: 'celery -A app worker -n celery-v0.13.0@%h -Q a,b' },
      { where: `docker ${ENGINE}`, command: "docker compose -p 'my proj' -f /srv/app/compose.yaml up -d --force-recreate worker" },
    ]);
  });

  it.each([
    [['celery', 'worker', '-n', 'main-v0.12.0@%h'], 'main-v0.12.0@box', 'celery worker -n main-v0.13.0@%h'],
    [['celery', 'worker', '--hostname=w1@%n.prod'], 'w1@box.prod', 'celery worker --hostname=w1-v0.13.0@%n.prod'],
    [['celery', 'worker', '-n', 'w1'], 'celery@w1', 'celery worker -n celery-v0.13.0@w1'],
  ])('keeps the rest of the -n template: %j', (command, workerName, hint) => {
    const c = rec({ command, worker_name: workerName, compose: { project: 'p', service: 's', working_dir: '/srv', config_files: null } });
    const r = containerFindings(c, '0.13.0').find((x) => x.kind === 'stray')!.remediation;
    expect(r[2]).toEqual({ where: '/srv, service s: command', command: hint });
    expect(r[3].command).toBe('docker compose -p p --project-directory /srv up -d --force-recreate s');
  });
});

describe('needsLogs', () => {
  it.each<[Partial<ContainerRecord>, boolean]>([
    [{}, false],
    [{ status: 'restarting' }, true],
    [{ restart_count: 3 }, true],
    [{ status: 'exited', exit_code: 1 }, true],
    [{ status: 'exited', exit_code: 0 }, false],
    [{ status: 'exited', exit_code: 0, oom_killed: true }, true],
  ])('%j → %j', (over, want) => expect(needsLogs(rec(over))).toBe(want));
});
