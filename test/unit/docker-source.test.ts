// The pure parts of the Docker source: endpoints, error lines, candidates, records, log frames.
import type { ContainerInspectInfo } from 'dockerode';
import { describe, expect, it } from 'vitest';
import { EngineHttpError } from '../../src/sources/docker/api.js';
import { parseEndpoint } from '../../src/sources/docker/engine.js';
import { describeError, EngineError, NoAnswer } from '../../src/sources/docker/errors.js';
import { demux, logLines } from '../../src/sources/docker/logs.js';
import { exitHistory } from '../../src/sources/docker/events.js';
import { memoryUsage } from '../../src/sources/docker/stats.js';
import { candidacy, containerRecord } from '../../src/sources/docker/record.js';

const sysErr = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('parseEndpoint', () => {
  it.each([
    ['unix:///var/run/docker.sock', { kind: 'unix', socketPath: '/var/run/docker.sock' }],
    ['/run/user/1000/docker.sock', { kind: 'unix', socketPath: '/run/user/1000/docker.sock' }],
    ['tcp://10.0.0.5:2376', { kind: 'tcp', host: '10.0.0.5', port: 2376 }],
    ['tcp://docker.example', { kind: 'tcp', host: 'docker.example', port: 2375 }],
    ['tcp://[::1]:2375', { kind: 'tcp', host: '::1', port: 2375 }],
    ['ssh://deploy@box', { kind: 'ssh', host: 'box', port: 22, user: 'deploy' }],
    ['ssh://box:2222', { kind: 'ssh', host: 'box', port: 2222, user: null }],
  ])('%s', (text, want) => expect(parseEndpoint(text)).toMatchObject(want));

  it.each(['', 'unix://', 'unix://relative.sock', 'http://x:1', 'tcp://', 'tcp://h:1/path', 'docker.sock', 'ssh://h/x', 'npipe:////./pipe/docker'])(
    'refuses %j', (text) => expect(parseEndpoint(text)).toHaveProperty('error'));
});

describe('describeError', () => {
  const unix = 'unix:///var/run/docker.sock';
  it.each<[string, unknown, string]>([
    [unix, sysErr('EACCES', 'connect EACCES /var/run/docker.sock'), `${unix}: permission denied (add the user to the docker group?)`],
    ['tcp://127.0.0.1:1', sysErr('ECONNREFUSED'), 'tcp://127.0.0.1:1: connection refused'],
    [unix, sysErr('ECONNREFUSED'), `${unix}: connection refused (the socket exists but nothing listens: is dockerd running?)`],
    ['unix:///nope', sysErr('ENOENT'), 'unix:///nope: no such socket'],
    ['tcp://nohost:2375', sysErr('ENOTFOUND'), 'tcp://nohost:2375: unknown host'],
    [unix, new NoAnswer(), `${unix}: no answer within 1.0 s`],
    [unix, sysErr('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/'), `${unix}: answered, but not as a Docker engine (not HTTP)`],
    [unix, new EngineHttpError(404, '404 page not found'), `${unix}: answered, but not as a Docker engine (HTTP 404)`],
    ['tcp://h:2376', new EngineHttpError(400, 'Client sent an HTTP request to an HTTPS server.'),
      'tcp://h:2376: the engine expects TLS (set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH)'],
    ['ssh://u@h', Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }),
      'ssh://u@h: ssh authentication failed (no key in SSH_AUTH_SOCK or ~/.ssh accepted)'],
    [unix, new EngineError('docker system dial-stdio failed on the host (exit 127)'), `${unix}: docker system dial-stdio failed on the host (exit 127)`],
    [unix, new EngineHttpError(500, 'the daemon is shutting down'), `${unix}: HTTP 500: the daemon is shutting down`],
    [unix, new Error('line one\nline two'), `${unix}: line one`],
    [unix, 'a string', `${unix}: a string`],
    [unix, null, `${unix}: null`],
  ])('%s %j', (endpoint, err, line) => {
    const text = describeError(endpoint, err, 1000);
    expect(text).toBe(line);
    expect(text).not.toMatch(/\n/);
  });
});

describe('candidacy from the list Command', () => {
  it.each<[string, Record<string, string> | null, 'worker' | 'maybe' | null]>([
    ['celery -A app worker -n main-v1@%h', null, 'worker'],
    ['python3 -m celery -A app worker', null, 'worker'],
    ['/entrypoint.sh celery -A app worker -Q a', null, 'worker'],
    ["sh -c 'exec celery -A app worker -c 2'", null, 'worker'],
    // docker quotes words that hold spaces without escaping their own quotes
    ["sh -c 'python3 -c 'b = 1'; exec celery -b redis://h worker -n x@%h'", null, 'maybe'],
    ['celery -A app beat', null, null],
    ['flower --broker=redis://celery-broker', null, null],
    ['sleep 300', null, null],
    ['sh -c "exit 1"', { 'fleetdoc.worker': 'true' }, 'worker'],
    ['sleep 1', { 'fleetdoc.worker': 'false' }, null],
    ["celery -A 'app worker", null, 'maybe'], // unbalanced quote,
  ])('%j', (Command, Labels, want) => expect(candidacy({ Command, Labels: Labels ?? {} })).toBe(want));

  it('copes with a 100 KB command quickly', () => {
    const huge = `celery ${'-Q x,y '.repeat(15_000)} worker ${"'".repeat(3)}`;
    const t0 = performance.now();
    expect(candidacy({ Command: huge, Labels: {} })).toBe('maybe');
    expect(candidacy({ Command: 'celery worker '.repeat(8000), Labels: {} })).toBe('worker');
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it.each([undefined, null, 7, {}])('never throws on Command %j', (Command) =>
    expect(candidacy({ Command, Labels: undefined } as never)).toBeNull());
});

describe('exitHistory', () => {
  const ev = (id: string, Action: string, exitCode?: string) => JSON.stringify({ Type: 'container', Action, Actor: { ID: id, Attributes: exitCode === undefined ? {} : { exitCode } } });
  it('counts die and oom events per wanted container, the newest die giving the exit code', () => {
    const body = [ev('a', 'oom'), ev('a', 'die', '137'), ev('b', 'die', '1'), ev('a', 'die', '2'), ev('z', 'oom'), ''].join('\n');
    expect(exitHistory(body, ['a', 'b', 'c'])).toEqual({ a: { dies: 2, last_exit: 2, ooms: 1 }, b: { dies: 1, last_exit: 1, ooms: 0 } });
  });
  it('survives garbage: bad JSON, other types, odd exit codes', () => {
    const body = ['{', 'null', '[]', JSON.stringify({ Type: 'network', Action: 'die', Actor: { ID: 'a' } }), ev('a', 'die', 'x'), ev('a', 'die', '999')].join('\n');
    expect(exitHistory(body, ['a'])).toEqual({ a: { dies: 2, last_exit: null, ooms: 0 } });
  });
});

describe('memoryUsage', () => {
  it.each<[string, unknown, number | null]>([
    ['cgroup v1: usage less total_inactive_file', { memory_stats: { usage: 30_000_000, stats: { total_inactive_file: 5_000_000, inactive_file: 1 } } }, 25_000_000],
    ['cgroup v2: usage less inactive_file', { memory_stats: { usage: 30_000_000, stats: { inactive_file: 10_000_000 } } }, 20_000_000],
    ['no cache figure', { memory_stats: { usage: 1234 } }, 1234],
    ['a stopped container answers zeros', { memory_stats: { usage: 0 } }, null],
    ['nothing at all', { memory_stats: {} }, null],
    ['cache above usage (racing counters)', { memory_stats: { usage: 10, stats: { total_inactive_file: 20 } } }, 10],
    ['garbage', 'nope', null],
    ['null', null, null],
    ['negative', { memory_stats: { usage: -5 } }, null],
  ])('%s', (_what, stats, want) => expect(memoryUsage(stats)).toBe(want));
});

describe('containerRecord', () => {
  const info = (over: Record<string, unknown> = {}, config: Record<string, unknown> = {}, state: Record<string, unknown> = {}) => ({
    Id: 'f'.repeat(64), Name: '/clippy-worker', Image: 'sha256:abc', RestartCount: 2, Path: 'celery', Args: [],
    Config: { Hostname: 'box.lan', Image: 'ghcr.io/x/clippy:latest', Entrypoint: null, Cmd: ['celery', '-A', 'app', 'worker', '-n', 'clippy-v1.0@%n', '-Q', 'a, b', '-c', '4'],
      Labels: { 'com.docker.compose.project': 'p', 'com.docker.compose.service': 's', 'org.opencontainers.image.version': '1.0' }, Tty: false, ...config },
    State: { Status: 'running', ExitCode: 0, OOMKilled: false, StartedAt: '2026-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z', Pid: 99, ...state },
    HostConfig: { Memory: 25165824, NetworkMode: 'bridge' },
    ...over,
  }) as unknown as ContainerInspectInfo;

  it('reads the worker and its container', () => {
    expect(containerRecord('e', info())).toEqual({
      engine: 'e', id: 'f'.repeat(64), name: 'clippy-worker', image: 'ghcr.io/x/clippy:latest', status: 'running', restart_count: 2,
      exit_code: 0, oom_killed: false, started_at: '2026-01-01T00:00:00Z', finished_at: null,
      compose: { project: 'p', service: 's', working_dir: null, config_files: null }, hostname: 'box.lan',
      command: ['celery', '-A', 'app', 'worker', '-n', 'clippy-v1.0@%n', '-Q', 'a, b', '-c', '4'], worker_name: 'clippy-v1.0@box',
      queues: ['a', 'b'], concurrency: 4, image_version: '1.0', pid: 99,
      broker_url: null, broker_from: null, restart_policy: null, supervisor: { kind: 'compose', name: 'p/s', restart: null },
      memory_limit: 25165824, memory_usage: null, network_mode: 'bridge', last_exit_code: null, oom_events: null,
    });
  });

  it('takes the broker from -b over Config.Env, masked; only the broker variables are read', () => {
    const env = ['PATH=/bin', 'DB_PASSWORD=nope', 'BROKER_URL=redis://:envpw@r:6379/2', 'CELERY_BROKER_URL=amqp://u:p%40ss@rabbit/vh'];
    const fromEnv = containerRecord('e', info({}, { Env: env }))!;
    expect(fromEnv).toMatchObject({ broker_url: 'amqp://u:****@rabbit/vh', broker_from: 'env' });
    const fromArgv = containerRecord('e', info({}, { Env: env, Cmd: ['celery', '-A', 'app', '-b', 'redis://:argvpw@r:6380/0', 'worker'] }))!;
    expect(fromArgv).toMatchObject({ broker_url: 'redis://:****@r:6380/0', broker_from: 'argv' });
    // (command keeps the raw argv, as before; renderers redact it)
    expect(JSON.stringify(fromEnv)).not.toMatch(/envpw|p%40ss|nope/);
    expect(containerRecord('e', info({}, { Env: ['BROKER_URL=redis://:x@r/0'] }))).toMatchObject({ broker_url: 'redis://:****@r/0', broker_from: 'env' });
    expect(containerRecord('e', info({}, { Env: 'garbage' }))).toMatchObject({ broker_url: null, broker_from: null });
    expect(containerRecord('e', info({}, { Env: [7, null, '=x', 'CELERY_BROKER_URL='] }))).toMatchObject({ broker_url: null, broker_from: null });
  });

  it('reads the restart policy; a container outside compose is kind docker, named as docker names it', () => {
    const rec = containerRecord('e', info({ HostConfig: { RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } } }, { Labels: {} }))!;
    expect(rec).toMatchObject({ restart_policy: 'unless-stopped', supervisor: { kind: 'docker', name: 'clippy-worker', restart: 'unless-stopped' } });
    expect(containerRecord('e', info({ HostConfig: { RestartPolicy: { Name: '' } } }))!.restart_policy).toBe('no');
    expect(containerRecord('e', info({ HostConfig: { RestartPolicy: { Name: 'always' } } }))!.supervisor).toEqual({ kind: 'compose', name: 'p/s', restart: 'always' });
  });

  it('reads no memory limit as 0, and a missing HostConfig as unknown', () => {
    expect(containerRecord('e', info({ HostConfig: { Memory: 0, NetworkMode: 'host' } }))).toMatchObject({ memory_limit: 0, network_mode: 'host' });
    expect(containerRecord('e', info({ HostConfig: undefined }))).toMatchObject({ memory_limit: null, memory_usage: null, network_mode: null });
  });

  it.each([
    [{ Cmd: ['celery', 'worker'] }, 'celery@box.lan'],
    [{ Entrypoint: ['/docker-entrypoint.sh'], Cmd: ['celery', '-A', 'x', 'worker', '-n', 'w@%h'] }, 'w@box.lan'],
    [{ Entrypoint: ['sh', '-c', "python3 -c 'x'; exec celery worker -n oom-v1@%h"], Cmd: null }, 'oom-v1@box.lan'],
  ])('names %j', (config, name) => expect(containerRecord('e', info({}, config))?.worker_name).toBe(name));

  it('keeps a labelled container that runs no worker, and drops an unlabelled one', () => {
    expect(containerRecord('e', info({}, { Cmd: ['sh', '-c', 'exit 1'], Labels: { 'fleetdoc.worker': 'true' } }))?.worker_name).toBe('celery@box.lan');
    expect(containerRecord('e', info({}, { Cmd: ['sleep', '300'] }))).toBeNull();
  });

  it.each([{}, { Config: null }, { State: 'x' }])('never throws on a garbled inspect %j', (over) =>
    expect(() => containerRecord('e', { ...info(), ...over } as never)).not.toThrow());
});

describe('log frames', () => {
  const frame = (stream: number, text: string) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };

  it('demultiplexes stdout and stderr in order', () => {
    const buf = Buffer.concat([frame(1, 'one\n'), frame(2, 'two\r\n'), frame(1, 'three\nfour\n')]);
    expect(logLines(buf, false, 10)).toEqual(['one', 'two', 'three', 'four']);
    expect(logLines(buf, false, 2)).toEqual(['three', 'four']);
  });

  it('reads a TTY log raw, even when it looks like JSON', () => {
    expect(logLines(Buffer.from('{"a":1}\n42\n'), true, 5)).toEqual(['{"a":1}', '42']);
  });

  it('falls back to raw text when the frames do not add up', () => {
    expect(demux(Buffer.from('plain text log\n'))).toBeNull();
    expect(logLines(Buffer.from('plain text log\n'), false, 5)).toEqual(['plain text log']);
  });

  it('keeps a frame cut short and caps long lines', () => {
    const cut = frame(1, `${'x'.repeat(5000)}\nend\n`).subarray(0, 3000);
    const [line] = logLines(cut, false, 5);
    expect(line.length).toBe(2001);
  });
});
