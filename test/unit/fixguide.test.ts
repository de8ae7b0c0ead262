// The fix guide's commands for a worker process: what to kill, and the start
// line under the versioned name. Hostile names must print as quoted words.
import { describe, expect, it } from 'vitest';
import { parseCeleryWorker, rewriteWorkerName, splitShellWords } from '../../src/model/worker/celery-argv.js';
import { remedies } from '../../src/model/remedy/commands.js';
import { fixSteps, startArgv } from '../../src/model/remedy/fixguide.js';
import type { ProcessRecord } from '../../src/model/types.js';
import { shellJoin } from '../../src/util/shell.js';
import { splitSshTarget, sshWhere } from '../../src/util/ssh-target.js';

const processRemediation = (p: ProcessRecord, o: { serverVersion: string | null; hung: boolean; sshConfig?: string }) =>
  remedies(fixSteps(p, o), { brokerDisplay: 'redis://b/0', sshConfig: o.sshConfig });
const startLine = (p: ProcessRecord, v: string) => { const a = startArgv(p, v); return a && shellJoin(a); };

function proc(argv: string[], over: Partial<ProcessRecord> = {}): ProcessRecord {
  return {
    target: 'pandalab-01', host: 'pandalab-01', pid: 2465874, ppid: 1, state: 'S', elapsed_s: 86400, rss_kb: 153000,
    children: [2465880, 2465881], command: argv.join(' '), argv, worker_name: 'celery@pandalab-01', queues: null,
    concurrency: null, ...over,
  };
}

const APP = ['celery', '-A', 'app.tasks.celery_app', 'worker'];
const V = { serverVersion: '0.13.0', hung: false };
const commands = (p: ProcessRecord, o = V) => processRemediation(p, o).map((s) => s.command);

describe('processRemediation', () => {
  it('an incompatible worker: kill it, then start it under the versioned name with every other argument kept', () => {
    const p = proc([...APP, '-n', 'main@%h', '-Q', 'celery', '-c', '2'], { worker_name: 'main@pandalab-01' });
    expect(processRemediation(p, V)).toEqual([
      { where: 'ssh pandalab-01', command: 'kill -TERM 2465874' },
      { where: 'ssh pandalab-01', command: 'celery -A app.tasks.celery_app worker -n main-v0.13.0@%h -Q celery -c 2' },
    ]);
  });

  it('a hung worker: TERM, then KILL for it and its children after a grace period', () => {
    expect(commands(proc([...APP, '-n', 'main@%h']), { ...V, hung: true })).toEqual([
      'kill -TERM 2465874',
      'sleep 10; kill -0 2465874 2>/dev/null && kill -KILL 2465874 2465880 2465881',
      'celery -A app.tasks.celery_app worker -n main-v0.13.0@%h',
    ]);
  });

  it.each(['T', 't'])('a stopped worker (%s): continue it, TERM, then KILL if it lingers (the same plan as kill)', (state) => {
    expect(commands(proc([...APP], { state }), { ...V, hung: true }).slice(0, 3)).toEqual([
      'kill -CONT 2465874 2465880 2465881', 'kill -TERM 2465874', 'sleep 10; kill -0 2465874 2>/dev/null && kill -KILL 2465874 2465880 2465881',
    ]);
  });

  it('without a server version there is no start line to give', () => {
    expect(commands(proc([...APP]), { serverVersion: null, hung: false })).toEqual(['kill -TERM 2465874']);
  });

  it('never prints a kill for pid 0, 1 or a negative pid (they mean process groups or init)', () => {
    for (const pid of [0, 1, -1, Number.NaN]) expect(commands(proc([...APP], { pid, children: [-1, 0] }))).toEqual([expect.stringMatching(/^celery /)]);
    expect(commands(proc([...APP], { state: 'T', children: [0, -1, 7] }))[0]).toBe('kill -CONT 2465874 7');
  });

  it('starts from the directory the worker ran in, quoted', () => {
    expect(commands(proc([...APP], { cwd: "/srv/it's app" }))[1]).toBe(`cd '/srv/it'\\''s app' && celery -A app.tasks.celery_app worker -n celery-v0.13.0@%h`);
    expect(commands(proc([...APP], { cwd: '/' }))[1]).toBe('celery -A app.tasks.celery_app worker -n celery-v0.13.0@%h');
  });

  it('reaches host:port targets with -p, and keeps the ssh config', () => {
    expect(processRemediation(proc([...APP], { target: '127.0.0.21:2201' }), { ...V, sshConfig: '/home/me/my ssh' })[0].where)
      .toBe("ssh -F '/home/me/my ssh' -p 2201 127.0.0.21");
  });
});

describe('startLine: the versioned name', () => {
  it.each<[string[], string, string]>([
    [[...APP, '-n', 'main@%h'], 'main@x', 'celery -A app.tasks.celery_app worker -n main-v0.13.0@%h'],
    [[...APP, '-n', 'main-v0.12.0@%h'], 'main-v0.12.0@x', 'celery -A app.tasks.celery_app worker -n main-v0.13.0@%h'],
    [[...APP, '--hostname=tundra-gpu@%h', '-Q', 'gpu'], 'tundra-gpu@x', 'celery -A app.tasks.celery_app worker --hostname=tundra-gpu-v0.13.0@%h -Q gpu'],
    [[...APP, '-nmain@%h'], 'main@x', 'celery -A app.tasks.celery_app worker -nmain-v0.13.0@%h'],
    [[...APP, '-n', 'main@box1'], 'main@box1', 'celery -A app.tasks.celery_app worker -n main-v0.13.0@box1'],
    [[...APP, '-n', 'worker1'], 'celery@worker1', 'celery -A app.tasks.celery_app worker -n celery-v0.13.0@worker1'],
    [[...APP, '-n', '%n-gpu@%h'], 'x-gpu@x', 'celery -A app.tasks.celery_app worker -n %n-gpu-v0.13.0@%h'],
    [['python3', '-m', 'celery', 'worker', '-c', '4'], 'celery@x', 'python3 -m celery worker -n celery-v0.13.0@%h -c 4'],
    // A process title gave the name but no -n: the name it runs under is versioned.
    [['celery', '-A', 'app', 'worker'], 'main-v0.12.0@box', 'celery -A app worker -n main-v0.13.0@%h'],
  ])('%j', (argv, name, line) => {
    expect(startLine(proc(argv, { worker_name: name }), '0.13.0')).toBe(line);
  });

  it('is null for a process that is not a worker', () => {
    expect(startLine(proc(['celery', 'beat']), '0.13.0')).toBeNull();
  });
});

describe('hostile names and arguments split back into exactly the intended words', () => {
  it.each([
    'x;touch /tmp/p@h',
    '$(touch /tmp/p)@%h',
    '`touch /tmp/p`@%h',
    "it's'; rm -rf / #@%h",
    'a\nb && touch /tmp/p@%h',
    '--help@%h',
    '"quoted" $HOME \\@%h',
  ])('%j', (name) => {
    const argv = ['/opt/my app/bin/celery', '-A', 'app;id', 'worker', '-n', name, '-Q', '$(id),`id`', '--logfile', '/var/log/a b.log'];
    const line = commands(proc(argv, { worker_name: name.replace('%h', 'box') }))[1];
    const args = parseCeleryWorker(argv)!;
    const at = name.indexOf('@');
    const expected = rewriteWorkerName(args, `${name.slice(0, at)}-v0.13.0@${name.slice(at + 1)}`);
    expect(splitShellWords(line)).toEqual(expected);
    expect(expected).toContain('/var/log/a b.log');
  });

  it('prints x;touch /tmp/p@h quoted', () => {
    const line = commands(proc([...APP, '-n', 'x;touch /tmp/p@h'], { worker_name: 'x;touch /tmp/p@h' }))[1];
    expect(line).toBe("celery -A app.tasks.celery_app worker -n 'x;touch /tmp/p-v0.13.0@h'");
  });

  it('a version from the fleet is quoted too', () => {
    const line = commands(proc([...APP]), { serverVersion: '1.0;id', hung: false })[1];
    expect(splitShellWords(line)).toEqual([...APP, '-n', 'celery-v1.0;id@%h']);
  });

  it('quotes the ssh target', () => {
    expect(sshWhere("o'brien@host")).toBe("ssh 'o'\\''brien@host'");
  });
});

describe('splitSshTarget', () => {
  it.each<[string, string, number | null]>([
    ['pandalab-01', 'pandalab-01', null],
    ['pandalab-01:2222', 'pandalab-01', 2222],
    ['deploy@pandalab-01', 'deploy@pandalab-01', null],
    ['deploy@10.0.0.5:22', 'deploy@10.0.0.5', 22],
    ['[::1]:2222', '::1', 2222],
    ['deploy@[fe80::1%eth0]:2222', 'deploy@fe80::1%eth0', 2222],
    ['[::1]', '::1', null],
    ['::1', '::1', null],
    ['2001:db8::1', '2001:db8::1', null],
    ['host:0', 'host:0', null],
    ['host:65536', 'host:65536', null],
    ['host:ssh', 'host:ssh', null],
    ['[::1]:99999', '[::1]:99999', null],
    ['ssh://deploy@host:2222', 'ssh://deploy@host:2222', null],
  ])('%s', (target, host, port) => {
    expect(splitSshTarget(target)).toEqual({ host, port });
  });
});
