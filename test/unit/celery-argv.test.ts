import { describe, expect, it } from 'vitest';
import {
  expandNodeName, parseCeleryWorker, rewriteWorkerName, splitShellWords, type CeleryWorkerArgs,
} from '../../src/model/worker/celery-argv.js';
import { shellJoin } from '../../src/util/shell.js';

const words = (s: string): string[] => splitShellWords(s) ?? [];
const parse = (s: string | string[]) => parseCeleryWorker(typeof s === 'string' ? words(s) : s);

describe('parseCeleryWorker: what it finds', () => {
  it.each<[string, Partial<CeleryWorkerArgs>]>([
    ['celery -A app worker -n main-v0.13.0@%h -Q a,b -c 4',
      { app: 'app', hostname: 'main-v0.13.0@%h', queues: ['a', 'b'], concurrency: 4, nameIndex: 5, nameStyle: 'separate' }],
    ['celery -A app worker -P solo -n s@%h', { pool: 'solo', hostname: 's@%h' }],
    ['celery -A app worker --pool=gevent -c 100', { pool: 'gevent', concurrency: 100 }],
    ['celery -A app worker -Peventlet', { pool: 'eventlet' }],
    ['celery -A app worker -n p@%h', { pool: null }],
    ['celery --app=proj.celery worker --hostname=w1@%h --queues=x --concurrency=2',
      { app: 'proj.celery', hostname: 'w1@%h', queues: ['x'], concurrency: 2, nameIndex: 3, nameStyle: 'joined-eq' }],
    ['celery worker -A app -nfoo@%h -c2 -Qa,b',
      { app: 'app', hostname: 'foo@%h', queues: ['a', 'b'], concurrency: 2, nameIndex: 4, nameStyle: 'joined-short' }],
    ['celery worker -n=foo@%h -Q=a', { hostname: 'foo@%h', queues: ['a'], nameIndex: 2, nameStyle: 'joined-eq' }],
    ['celery worker --app app', { app: 'app', hostname: null, queues: null, concurrency: null, nameIndex: null, nameStyle: null }],
    ['celery -Aapp worker -DEn x@%h', { app: 'app', hostname: 'x@%h', nameIndex: 4, nameStyle: 'separate' }],
    ['celery worker -Bc4 -l info', { concurrency: 4 }],
    ["celery worker -Q ' a , ,b ,' ", { queues: ['a', 'b'] }],
    ["celery worker -Q ''", { queues: [] }],
    ['celery worker -c lots', { concurrency: null }],
    ['celery worker -n first@%h -n second@%h', { hostname: 'second@%h', nameIndex: 5 }],
    ["celery -A app worker -n 'my worker@%h'", { hostname: 'my worker@%h', nameIndex: 5 }],
    ['celery -b redis://r:6379/0 --workdir /srv -q --config cfg -C worker', { app: null }],
    ['celery --broker=redis://r worker --loglevel INFO --pool solo -O fair -n a@b', { hostname: 'a@b' }],
    ['celery worker -- -n not-an-option', { hostname: null }],
    ['celery worker -n', { hostname: null, nameIndex: null }],
    ['celery worker --without-gossip --without-mingle -n a@%h', { hostname: 'a@%h' }],
  ])('%s', (cmd, expected) => {
    expect(parse(cmd)).toMatchObject(expected);
  });
});

describe('parseCeleryWorker: how it is started', () => {
  it.each<[string | string[], string[]]>([
    ['/venv/bin/celery -A app worker', ['/venv/bin/celery', '-A', 'app', 'worker']],
    ['python -m celery -A app worker', ['python', '-m', 'celery', '-A', 'app', 'worker']],
    ['python3.11 -u -m celery worker', ['python3.11', '-u', '-m', 'celery', 'worker']],
    ['python3 -X dev -W ignore -mcelery worker', ['python3', '-X', 'dev', '-W', 'ignore', '-mcelery', 'worker']],
    ['/usr/bin/python3 /usr/bin/celery -A app worker', ['/usr/bin/python3', '/usr/bin/celery', '-A', 'app', 'worker']],
    [['/entrypoint.sh', 'celery', '-A', 'app', 'worker'], ['celery', '-A', 'app', 'worker']],
    [['tini', '--', 'celery', 'worker'], ['celery', 'worker']],
    [['dumb-init', '--single-child', 'celery', 'worker'], ['celery', 'worker']],
    [['env', 'C_FORCE_ROOT=1', 'celery', 'worker'], ['celery', 'worker']],
    [['gosu', 'celery', 'celery', '-A', 'app', 'worker'], ['celery', '-A', 'app', 'worker']],
    [['sh', '-c', 'celery -A app worker -n w@%h'], ['celery', '-A', 'app', 'worker', '-n', 'w@%h']],
    [['/bin/sh', '-c', 'exec celery -A app worker'], ['celery', '-A', 'app', 'worker']],
    [['bash', '-lc', 'cd /srv/celery && FOO=1 nice -n 5 celery worker -n "a b@%h" 2>&1 | tee log'],
      ['celery', 'worker', '-n', 'a b@%h']],
    [['sh', '-c', 'echo starting celery worker; exec celery worker -Q q'], ['celery', 'worker', '-Q', 'q']],
    [['sh', '-c', 'celery -A app beat & celery -A app worker'], ['celery', '-A', 'app', 'worker']],
    [['sh', '-c', 'until celery -A app inspect ping; do sleep 1; done\nexec celery worker'], ['celery', 'worker']],
    [['sh', '-c', 'exec "$@"', 'sh', 'celery', 'worker'], ['celery', 'worker']],
    [['sh', '-ec', "sh -c 'exec celery worker -c 3'"], ['celery', 'worker', '-c', '3']],
    [['su', 'app', '-c', 'celery worker'], ['celery', 'worker']],
    [['tini', '--', '/bin/bash', '-c', 'exec python -m celery worker # run it'], ['python', '-m', 'celery', 'worker']],
    ["sh -c 'exec celery -A app worker -n x;touch\\ /tmp/p@h'", ['celery', '-A', 'app', 'worker', '-n', 'x']],
  ])('%j → %j', (argv, invocation) => {
    expect(parse(argv)?.argv).toEqual(invocation);
  });
});

describe('parseCeleryWorker: not a worker', () => {
  it.each<[string | string[]]>([
    ['celery -A app beat'],
    ['celery -A app inspect ping'],
    ['celery flower'],
    ['celery -A app multi start w1'],
    ['celery'],
    ['celery --unknown-global worker-ish'],
    ['flower --broker redis://x'],
    ['python -c "import celery; celery.worker()"'],
    ['python manage.py runserver'],
    ['echo celery worker'],
    [['sh', '-c', "echo 'celery worker' && sleep 1"]],
    [['sh', '-c', 'exec celery worker "unbalanced']],
    [['sh', '-c']],
    [['bash', 'script.sh']],
    [[]],
    [['']],
  ])('%j → null', (argv) => {
    expect(parse(argv)).toBeNull();
  });

  it.each([null, undefined, 'celery worker', [1, 2], [null], { length: 2 }])('garbage %j → null', (argv) => {
    expect(parseCeleryWorker(argv as unknown as string[])).toBeNull();
  });

  it('copes with a huge argv', () => {
    const big = ['celery', '-A', 'app', 'worker', ...Array.from({ length: 10_000 }, (_, i) => `-Qq${i}`)];
    expect(parse(big)?.queues).toEqual(['q9999']);
    const many = Array.from({ length: 10_000 }, () => 'celery');
    expect(parse(many)).toBeNull();
    const nested = 'sh -c '.repeat(50) + 'celery worker';
    expect(() => parse(nested)).not.toThrow();
    const script = Array.from({ length: 5_000 }, () => 'sh -c "celery beat"').join('; ');
    expect(parse(['sh', '-c', script])).toBeNull();
    const deep = ['sh', '-c', "sh -c 'sh -c \"exec celery worker -c 7\"'"];
    expect(parse(deep)?.concurrency).toBe(7);
  });
});

describe('expandNodeName', () => {
  it.each<[string | null, string, string]>([
    [null, 'box', 'celery@box'],
    ['', 'box.example.com', 'celery@box.example.com'],
    ['main-v0.13.0@%h', 'box.example.com', 'main-v0.13.0@box.example.com'],
    ['w@%n', 'box.example.com', 'w@box'],
    ['w@%d', 'box.example.com', 'w@example.com'],
    ['w@%d', 'box', 'w@'],
    ['%n-w@%h', 'box.lan', 'box-w@box.lan'],
    // Celery: no `@` means the template is the host part.
    ['worker1', 'box', 'celery@worker1'],
    ['worker_%n', 'box.lan', 'celery@worker_box'],
    ['w@', 'box', 'w@box'],
    ['@h', 'box', 'celery@h'],
    ['w@a@b', 'box', 'w@a@b'],
    ['w%i%I@%h', 'box', 'w0@box'],
    // Celery's pattern is %(\w), so %% is not an escape and unknown keys stay.
    ['w@%%h', 'box', 'w@%box'],
    ['w@%z', 'box', 'w@%z'],
    ['w@100%', 'box', 'w@100%'],
  ])('%j on %s → %s', (template, host, expected) => {
    expect(expandNodeName(template, host)).toBe(expected);
  });
});

describe('rewriteWorkerName', () => {
  it.each<[string, string]>([
    ['celery -A app worker -n main@%h -Q a', 'celery -A app worker -n main-v0.13.0@%h -Q a'],
    ['celery -A app worker --hostname=main@%h', 'celery -A app worker --hostname=main-v0.13.0@%h'],
    ['celery worker -n=main@%h', 'celery worker -n=main-v0.13.0@%h'],
    ['celery worker -nmain@%h -c2', 'celery worker -nmain-v0.13.0@%h -c2'],
    ['celery worker -Dnmain@%h', 'celery worker -Dnmain-v0.13.0@%h'],
    ['celery -A app worker -Q a', 'celery -A app worker -n main-v0.13.0@%h -Q a'],
    ['python -m celery -A app worker', 'python -m celery -A app worker -n main-v0.13.0@%h'],
    ["celery worker -n 'my w@%h'", 'celery worker -n main-v0.13.0@%h'],
  ])('%s → %s', (cmd, expected) => {
    const args = parse(cmd);
    expect(args).not.toBeNull();
    expect(rewriteWorkerName(args as CeleryWorkerArgs, 'main-v0.13.0@%h')).toEqual(words(expected));
  });

  it('keeps hostile words intact and leaves the input alone', () => {
    const argv = ['celery', '-A', '$(id)', 'worker', '-n', 'x;touch /tmp/p@h', '--logfile', '`id`'];
    const args = parseCeleryWorker(argv) as CeleryWorkerArgs;
    const out = rewriteWorkerName(args, 'x-v1.0@%h');
    expect(out).toEqual(['celery', '-A', '$(id)', 'worker', '-n', 'x-v1.0@%h', '--logfile', '`id`']);
    expect(args.argv[5]).toBe('x;touch /tmp/p@h');
    expect(splitShellWords(shellJoin(out))).toEqual(out);
  });

  it('rewrites the name that wins when -n is given twice', () => {
    const args = parse('celery worker -n a@%h --hostname=b@%h') as CeleryWorkerArgs;
    expect(rewriteWorkerName(args, 'c@%h')).toEqual(words('celery worker -n a@%h --hostname=c@%h'));
  });
});
