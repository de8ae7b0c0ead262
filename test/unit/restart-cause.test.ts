import { describe, expect, it } from 'vitest';
import { containerCheckFindings } from '../../src/model/diagnose/findings.js';
import { classifyLog, restartCause, strictTarget, targetOf } from '../../src/model/containers/restart-cause.js';
import { explainRestart, hostWhere, workerBroker } from '../../src/model/containers/restart-fix.js';
import type { ContainerRecord } from '../../src/model/types.js';
import { diagnoseJson } from '../../src/render/diagnose.js';
import { containerJson } from '../../src/render/workers.js';
import { splitShellWords } from '../../src/util/shell.js';

const ENGINE = 'unix:///var/run/docker.sock';
const D = `docker ${ENGINE}`;

function rec(over: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    engine: ENGINE, id: 'a'.repeat(64), name: 'w1', image: 'x/w:1', status: 'restarting', restart_count: 5, exit_code: 1,
    oom_killed: false, started_at: null, finished_at: null, compose: null, hostname: 'box',
    command: ['celery', '-A', 'app', '-b', 'redis://127.0.0.1:6390/0', 'worker', '-n', 'w-v1.0@%h', '-c', '4'], worker_name: 'w-v1.0@box',
    queues: null, concurrency: 4, image_version: null, pid: 0, memory_limit: 0, memory_usage: null, network_mode: 'bridge', ...over,
  };
}
const MiB16 = 16 * 1024 * 1024;
const COMPOSE = { project: 'shop', service: 'worker', working_dir: '/srv/shop', config_files: '/srv/shop/compose.yml' };

const TB = 'Traceback (most recent call last):';
describe('classifyLog: one cause per log tail, newest line first', () => {
  it.each<[string, string[], string | null, string | null]>([
    ['nothing known', ['worker starting', 'bye'], null, null],
    ['empty', [], null, null],
    ['celery consumer', ['[2026-01-01 00:00:00,000: ERROR/MainProcess] consumer: Cannot connect to redis://redis:6379/0: Error 111 connecting to redis:6379. Connection refused..'], 'dependency', 'consumer: Cannot connect'],
    // A host name that holds "noauth" is not a rejected password.
    ['a host named like an auth error', ['consumer: Cannot connect to redis://redis-noauth:6379//: Error 111 connecting to redis-noauth:6379. Connection refused.'], 'dependency', 'consumer: Cannot connect'],
    ['the real NOAUTH', ['redis.exceptions.AuthenticationError: NOAUTH Authentication required.'], 'config', null],
    ['redis-py DNS', ['redis.exceptions.ConnectionError: Error -2 connecting to cache:6379. Name or service not known.'], 'dependency', 'Error -2 connecting to cache:6379'],
    ['psycopg2 DNS', ['psycopg2.OperationalError: could not translate host name "db" to address: Name or service not known'], 'dependency', 'could not translate host name "db"'],
    ['bare refused', ['ConnectionRefusedError: [Errno 111] Connection refused'], 'dependency', '[Errno 111] Connection refused'],
    ['NOAUTH', ['redis.exceptions.AuthenticationError: NOAUTH Authentication required.'], 'config', 'NOAUTH'],
    ['WRONGPASS', ['WRONGPASS invalid username-password pair or user is disabled.'], 'config', 'WRONGPASS'],
    ['postgres auth', ['FATAL:  password authentication failed for user "app"'], 'config', 'password authentication failed'],
    ['secrets file', ["FileNotFoundError: [Errno 2] No such file or directory: '/run/secrets/db_password'"], 'config', '/run/secrets/db_password'],
    ['env, said plainly', ['django.core.exceptions.ImproperlyConfigured: Set the SECRET_KEY environment variable'], 'config', 'SECRET_KEY'],
    ['CUDA OOM', ['torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB'], 'gpu', 'CUDA out of memory'],
    ['no GPU', ['RuntimeError: no CUDA-capable device is detected'], 'gpu', 'no CUDA-capable device'],
    ['NVML', ['Failed to initialize NVML: Driver/library version mismatch'], 'gpu', 'NVML'],
    ['disk', ["OSError: [Errno 28] No space left on device: '/tmp/x'"], 'disk', 'No space left on device'],
    ['module', [TB, '  File "/app/tasks.py", line 3, in <module>', '    import reqests', "ModuleNotFoundError: No module named 'reqests'"], 'app-error', "No module named 'reqests'"],
    ['syntax', [TB, '  File "/app/tasks.py", line 9', '    def (:', '        ^', 'SyntaxError: invalid syntax'], 'app-error', 'SyntaxError: invalid syntax'],
    ['celery -A missing', ["Error: Invalid value for '-A' / '--app': ", 'Unable to load celery application.', 'The module nosuchmod was not found.'], 'app-error', 'The module nosuchmod was not found.'],
    ['an exception without a traceback is not enough', ['ValueError: nope'], null, null],
    ['KeyError not from environ is an app error', [TB, '  File "/app/x.py", line 2, in <module>', "    cfg['region']", "KeyError: 'region'"], 'app-error', "KeyError: 'region'"],
    ['newest wins', ['Connection refused', 'No space left on device'], 'disk', 'No space left on device'],
    ['escape codes do not hide a match', ['\x1b[31mNo space left\x1b[0m on device'], 'disk', 'No space left on device'],
    ['colour around a match is removed', ['\x1b[1;31m[ERROR]\x1b[0m No space left on device'], 'disk', '[ERROR] No space left on device'],
    ['blank lines after the crash', ['No space left on device', '', '   '], 'disk', 'No space left on device'],
  ])('%s', (_what, lines, cause, evidence) => {
    const m = classifyLog(lines);
    expect(m?.cause ?? null).toBe(cause);
    if (evidence !== null) expect(m?.evidence).toContain(evidence);
  });

  it('names the environment variable behind a KeyError from os.environ, and where it is read', () => {
    const m = classifyLog([TB, '  File "/srv/app/envapp.py", line 3, in <module>', '    app = Celery(broker=os.environ["BROKER_URL"])',
      '  File "<frozen os>", line 679, in __getitem__', "KeyError: 'BROKER_URL'", '']);
    expect(m).toMatchObject({ cause: 'config', evidence: "KeyError: 'BROKER_URL'", missing: { kind: 'env', name: 'BROKER_URL' }, at: { file: '/srv/app/envapp.py', line: 3 } });
  });

  it('points an app error at the innermost frame in the app, not in the libraries', () => {
    const m = classifyLog([TB, '  File "/app/main.py", line 12, in <module>', '    import a', '  File "/usr/lib/python3/dist-packages/x.py", line 5, in f',
      '    import b', "ImportError: cannot import name 'c' from 'b'"]);
    expect(m).toMatchObject({ cause: 'app-error', at: { file: '/app/main.py', line: 12 } });
  });

  it('takes the host:port for a dependency line from an older line when the newest names none', () => {
    const m = classifyLog(['consumer: Cannot connect to amqp://guest:**@rabbit:5672//: [Errno 111] Connection refused.', 'ConnectionRefusedError: [Errno 111] Connection refused']);
    expect(m).toMatchObject({ cause: 'dependency', target: { host: 'rabbit', port: 5672, scheme: 'amqp' }, broker: true });
    expect(m?.evidence).toContain('Cannot connect to amqp://');
  });

  it('strips control and bidi characters from the evidence', () => {
    const m = classifyLog(['Connection refused \u202eevil\u2066 \x07bell\x1b]0;title\x07']);
    expect(m?.evidence).toBe('Connection refused ?evil? ?bell');
  });

  it('reads 60 lines of 2000 characters of near-misses quickly', () => {
    const junk = ['connecting to ', 'Cannot connect to redis://', 'File "', '/secrets/', 'KeyError: \'', 'Traceback (most recent call last):'];
    const lines = Array.from({ length: 60 }, (_, i) => `${junk[i % junk.length]}${'a.'.repeat(995)}`);
    const t0 = performance.now();
    classifyLog(lines);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('caps a huge evidence line', () => {
    expect(classifyLog([`No space left on device ${'x'.repeat(5000)}`])?.evidence?.length).toBeLessThanOrEqual(301);
  });
});

describe('targetOf and strictTarget', () => {
  it.each<[string, ReturnType<typeof targetOf>]>([
    ['Cannot connect to redis://:**@cache.internal:6380/0: x', { host: 'cache.internal', port: 6380, scheme: 'redis' }],
    ['Error 111 connecting to 127.0.0.1:6399. Connection refused.', { host: '127.0.0.1', port: 6399, scheme: null }],
    ['dial tcp [::1]:5432: connect: connection refused', { host: '[::1]', port: 5432, scheme: null }],
    ['connect ECONNREFUSED 10.0.0.5:6379', { host: '10.0.0.5', port: 6379, scheme: null }],
    ['could not translate host name "db" to address', { host: 'db', port: null, scheme: null }],
    ['Error 111 connecting to $(id):1. Connection refused.', null],
    ['Error 111 connecting to 999.1.1.1:80. Connection refused.', null],
    ['Error 111 connecting to h:99999. Connection refused.', null],
    ['Connection refused', null],
  ])('%j', (line, want) => expect(targetOf(line)).toEqual(want));

  it('rejects anything a shell could read as more than a name', () => {
    for (const h of ['a;b', 'a b', '-rf', 'a`b`', "a'b", '$(x)', '12345', '']) expect(strictTarget(h, '1')).toBeNull();
  });
});

describe('restartCause: inspect first', () => {
  it('OOMKilled outranks the log; a bare 137 comes after the log', () => {
    expect(restartCause(rec({ oom_killed: true, exit_code: 137 }), ['Connection refused'])).toEqual({ cause: 'oom', evidence: 'State.OOMKilled: true' });
    expect(restartCause(rec({ exit_code: 137 }), ['Connection refused']).cause).toBe('dependency');
    expect(restartCause(rec({ exit_code: 137 }), ['hello'])).toMatchObject({ cause: 'oom', evidence: expect.stringContaining('State.ExitCode: 137') });
    expect(restartCause(rec(), null)).toEqual({ cause: 'unknown', evidence: null });
  });

  it('a container running again: oom events outrank the log, the last die event gives the lost 137', () => {
    const running = { status: 'running', exit_code: 0 };
    expect(restartCause(rec({ ...running, oom_events: 3 }), ['Connection refused'])).toEqual({ cause: 'oom', evidence: 'docker events: 3 oom events in the last hour' });
    expect(restartCause(rec({ ...running, oom_events: 1 }), null).evidence).toBe('docker events: 1 oom event in the last hour');
    expect(restartCause(rec({ ...running, oom_events: 0, last_exit_code: 137 }), ['hello'])).toMatchObject({ cause: 'oom', evidence: 'docker events: last die exitCode 137 (SIGKILL, no oom event)', sigkill: true });
    expect(restartCause(rec({ ...running, oom_events: 0, last_exit_code: 1 }), ['hello']).cause).toBe('unknown');
    expect(explainRestart(rec({ ...running, last_exit_code: 137, memory_limit: MiB16 }), null).explanation).toMatch(/^killed by SIGKILL without OOMKilled/);
  });
});

describe('explainRestart: words and commands', () => {
  it('memory limit: usage against it, concurrency, docker update with twice the limit, compose mem_limit and a lower -c', () => {
    const e = explainRestart(rec({ oom_killed: true, exit_code: 137, memory_limit: 24 * 1024 * 1024, memory_usage: 23 * 1024 * 1024, compose: COMPOSE, name: 'shop-worker-1' }), []);
    expect(e.cause).toBe('oom');
    expect(e.explanation).toBe('out of memory at its memory limit of 24 MiB, using 23 MiB (96%), worker concurrency 4');
    expect(e.remediation).toEqual([
      { where: D, command: 'docker update --memory 48m --memory-swap 48m shop-worker-1' },
      { where: '/srv/shop/compose.yml, service worker', command: 'mem_limit: 48m' },
      { where: D, command: 'docker compose -p shop -f /srv/shop/compose.yml up -d --force-recreate worker' },
      { where: '/srv/shop/compose.yml, service worker: command', command: '-c 2' },
    ]);
    expect(e.evidence).toContain('memory: limit 24 MiB, usage 23 MiB, concurrency 4');
  });

  it('a limit the engine did not give: no update command, said so', () => {
    const e = explainRestart(rec({ oom_killed: true, memory_limit: null }), null);
    expect(e.explanation).toBe('out of memory (memory limit unknown), worker concurrency 4');
    expect(e.remediation).toEqual([{ where: "the worker's command line", command: '-c 2' }]);
  });

  it('no memory limit: the host ran out, see host-resources', () => {
    const e = explainRestart(rec({ oom_killed: true, memory_limit: 0, concurrency: null, engine: 'ssh://ops@box1:2222' }), null);
    expect(e.explanation).toBe('out of memory with no memory limit set: the host itself ran short (see host-resources), worker concurrency default (one process per CPU)');
    expect(e.remediation).toEqual([
      { where: 'ssh -p 2222 ops@box1', command: 'free -m' },
      { where: 'ssh -p 2222 ops@box1', command: "journalctl -k -g 'out of memory|killed process'" },
    ]);
  });

  it('the broker it cannot reach, compared with the broker fleetdoc reads', () => {
    const lines = ['consumer: Cannot connect to redis://127.0.0.1:6390/0: Error 111 connecting to 127.0.0.1:6390. Connection refused..'];
    const other = explainRestart(rec({ network_mode: 'host' }), lines, { broker: { display: 'redis://127.0.0.1:6379/0', ok: true } });
    expect(other.explanation).toBe('cannot reach the broker at 127.0.0.1:6390; fleetdoc reads redis://127.0.0.1:6379/0: the worker is pointed at another broker');
    const sameDown = explainRestart(rec({ network_mode: 'host' }), lines, { broker: { display: 'redis://127.0.0.1:6390/0', ok: false } });
    expect(sameDown.explanation).toContain('fleetdoc cannot reach it either (redis://127.0.0.1:6390/0): the broker is down');
    const bridge = explainRestart(rec(), lines, { broker: { display: 'redis://127.0.0.1:6390', ok: true } });
    expect(bridge.explanation).toContain('inside this container (network bridge) 127.0.0.1 is the container itself');
    expect(bridge.explanation).toContain("answers fleetdoc, so the container's network cannot reach it");
  });

  it('a compose dependency by its service name: ps, then restart that service', () => {
    const e = explainRestart(rec({ compose: COMPOSE }), ['psycopg2.OperationalError: could not translate host name "db" to address: Name or service not known']);
    expect(e.explanation).toBe('cannot reach a dependency at db');
    expect(e.remediation).toEqual([
      { where: D, command: 'docker compose -p shop -f /srv/shop/compose.yml ps' },
      { where: D, command: 'docker compose -p shop -f /srv/shop/compose.yml restart db' },
    ]);
  });

  it('a host:port that fails the strict pattern never reaches a command', () => {
    const e = explainRestart(rec({ compose: COMPOSE }), ['Error 111 connecting to x;rm -rf /:1. Connection refused.']);
    expect(e.explanation).toBe('cannot reach a dependency (no host:port in the log line)');
    expect(e.remediation.map((r) => r.command)).toEqual(['docker compose -p shop -f /srv/shop/compose.yml ps']);
  });

  it('a missing environment variable: named, with where to set it', () => {
    const tail = [TB, '  File "/app/envapp.py", line 3, in <module>', '  File "<frozen os>", line 679, in __getitem__', "KeyError: 'BROKER_URL'"];
    expect(explainRestart(rec(), tail)).toMatchObject({ cause: 'config', cause_evidence: "KeyError: 'BROKER_URL'", explanation: 'the environment variable BROKER_URL is not set (read at /app/envapp.py:3)',
      remediation: [{ where: "the container's docker run", command: '-e BROKER_URL=...' }] });
    expect(explainRestart(rec({ compose: COMPOSE }), tail).remediation).toEqual([
      { where: '/srv/shop/compose.yml, service worker: environment', command: 'BROKER_URL: ...' },
      { where: D, command: 'docker compose -p shop -f /srv/shop/compose.yml up -d --force-recreate worker' },
    ]);
  });

  it('gpu, disk and app errors', () => {
    expect(explainRestart(rec(), ['CUDA out of memory']).remediation).toEqual([{ where: 'here', command: 'nvidia-smi' }, { where: D, command: "docker inspect -f '{{json .HostConfig.DeviceRequests}}' w1" }]);
    expect(explainRestart(rec({ engine: 'tcp://10.1.2.3:2376' }), ['No space left on device'], { remedy: { brokerDisplay: '', sshConfig: '/etc/fd/ssh' } }).remediation.map((r) => `${r.where}: ${r.command}`))
      .toEqual(['ssh -F /etc/fd/ssh 10.1.2.3: df -h', 'docker tcp://10.1.2.3:2376: docker -H tcp://10.1.2.3:2376 system df', 'docker tcp://10.1.2.3:2376: docker -H tcp://10.1.2.3:2376 system prune']);
    const app = explainRestart(rec({ compose: COMPOSE }), [TB, '  File "/app/t.py", line 1, in <module>', "ModuleNotFoundError: No module named 'x'"]);
    expect(app.explanation).toBe("the application fails to start at /app/t.py:1: ModuleNotFoundError: No module named 'x'");
    expect(app.remediation[0].command).toBe('docker compose -p shop -f /srv/shop/compose.yml build worker');
  });

  it('a password in a log line never reaches the message or the evidence', () => {
    const e = explainRestart(rec(), [TB, '  File "/app/t.py", line 1, in <module>', 'ValueError: bad url redis://:hunter2@cache:6379/0']);
    expect(e.explanation).toContain('redis://:****@cache:6379/0');
    expect(JSON.stringify(e)).not.toContain('hunter2');
  });

  it('unknown: says so and shows the last lines, cleaned', () => {
    const e = explainRestart(rec(), Array.from({ length: 14 }, (_, i) => `line ${i}\u202e`));
    expect(e).toMatchObject({ cause: 'unknown', cause_evidence: null, explanation: 'no known cause in its last 14 log lines', remediation: [] });
    expect(e.evidence).toEqual(Array.from({ length: 10 }, (_, i) => `log: line ${i + 4}?`));
  });

  it('shell-quotes a hostile container name in every command', () => {
    const name = "w'1; rm -rf /";
    const e = explainRestart(rec({ name, oom_killed: true, memory_limit: 16 * 1024 * 1024 }), null);
    expect(splitShellWords(e.remediation[0].command)).toEqual(['docker', 'update', '--memory', '32m', '--memory-swap', '32m', name]);
  });
});

describe('helpers', () => {
  it('reads the worker -b in every spelling', () => {
    for (const b of [['-b', 'redis://h:1'], ['--broker', 'redis://h:1'], ['--broker=redis://h:1'], ['-bredis://h:1']]) {
      expect(workerBroker(rec({ command: ['celery', ...b, 'worker'] }))).toBe('redis://h:1');
    }
    expect(workerBroker(rec({ command: ['celery', 'worker'] }))).toBeNull();
  });
  it.each<[string, ReturnType<typeof hostWhere>]>([
    [ENGINE, { kind: 'here' }], ['ssh://box', { kind: 'ssh', target: 'box' }], ['ssh://u@box:2200', { kind: 'ssh', target: 'u@box:2200' }], ['tcp://h:2376', { kind: 'ssh', target: 'h' }],
  ])('hostWhere(%j)', (e, w) => expect(hostWhere(e)).toEqual(w));
});

describe('containerCheckFindings and the JSON document', () => {
  const c = rec({ oom_killed: true, exit_code: 137, memory_limit: 32 * 1024 * 1024 });
  const stray = rec({ id: 'b'.repeat(64), name: 'w2', status: 'running', restart_count: 0, exit_code: 0, worker_name: 'celery@box' });
  const findings = containerCheckFindings([c, stray], '1.0', {}, { tails: { [c.id]: ['hello'] } });

  it('restart-loop findings carry cause and cause_evidence, others do not', () => {
    const loop = findings.find((f) => f.check === 'restart-loops')!;
    expect(loop).toMatchObject({ severity: 'critical', cause: 'oom', cause_evidence: 'State.OOMKilled: true' });
    expect(loop.message).toMatch(/crash-looping .*: out of memory at its memory limit of 32 MiB, worker concurrency 4$/);
    expect(loop.remediation.at(-1)).toEqual({ where: D, command: 'docker logs --tail 50 w1' });
    const other = findings.find((f) => f.check === 'stray-containers')!;
    expect(other.cause).toBeUndefined();
    const doc = diagnoseJson({ status: 'critical', exit_code: 2, checks: [], findings }) as { findings: Record<string, unknown>[] };
    expect(doc.findings[0]).toMatchObject({ check: 'restart-loops', cause: 'oom', cause_evidence: 'State.OOMKilled: true' });
    expect('cause' in doc.findings[1]).toBe(false);
  });

  it('does not repeat the --logs lines as unknown-cause evidence', () => {
    const d = rec();
    const [f] = containerCheckFindings([d], '1.0', { [d.id]: ['a', 'b'] }, { tails: { [d.id]: ['a', 'b'] } });
    expect(f.evidence.filter((e) => e.startsWith('log: '))).toEqual(['log: a', 'log: b']);
    expect(f.cause).toBe('unknown');
  });
});

describe('workers --json container fields', () => {
  it('adds memory_limit, memory_usage and network_mode, null when a record lacks them', () => {
    expect(containerJson(rec({ memory_limit: 1024, memory_usage: 512, network_mode: 'host', last_exit_code: 137, oom_events: 2 })))
      .toMatchObject({ memory_limit: 1024, memory_usage: 512, network_mode: 'host', image_version: null, last_exit_code: 137, oom_events: 2 });
    const { memory_limit: _a, memory_usage: _b, network_mode: _c, ...old } = rec();
    expect(containerJson(old)).toMatchObject({ memory_limit: null, memory_usage: null, network_mode: null, last_exit_code: null, oom_events: null });
  });
});
