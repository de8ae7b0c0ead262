// The probe's broker and supervisor evidence, read: environment, cgroup, TCP
// connections, `systemctl show`, supervisord's config, and what they say
// about who restarts each worker. Probe output is built here by hand.
import { describe, expect, it } from 'vitest';
import { brokerEvidence, brokerFromArgv } from '../../src/model/worker/broker-evidence.js';
import { restartsAfterKill, serviceOf, stopCommand } from '../../src/model/worker/supervisor.js';
import type { ProcessRecord } from '../../src/model/types.js';
import { endpoint, readBlob, readSupervisordConfig, readUnits } from '../../src/sources/ssh/evidence.js';
import { parseProbe } from '../../src/sources/ssh/parse.js';
import { PROBE_COMMAND } from '../../src/sources/ssh/probe.js';
import { SOCKETS_PER_PID } from '../../src/sources/ssh/probe-evidence.js';
import { maskSecretUrl } from '../../src/util/redact.js';

interface P {
  pid: number;
  ppid: number;
  argv: string[];
  /** cgroup lines, then the environment (null = unreadable); absent = no evidence part at all. */
  cgroup?: string;
  env?: Record<string, string> | null;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const W = (name: string, ...more: string[]) => ['/srv/venv/bin/python', '-m', 'celery', '-A', 'app', 'worker', '-n', `${name}@%h`, ...more];

function probe(procs: P[], o: { fds?: string[] | null; tcp?: string[]; units?: string[]; superv?: { pid: number; argv: string[]; path: string; text: string }[]; blob?: string } = {}): string {
  const out = ['@@fleetdoc-probe 1', '@@hostname', 'hostA', '@@uptime', '1000.00 10.00', '@@sysconf', '100 4096', '@@ps'];
  for (const p of procs) out.push(`${p.pid} ${p.ppid} S 500 150000 ${p.argv.join(' ')}`);
  out.push('@@ps-exit 0');
  const celery = procs.filter((p) => p.argv.some((w) => w.includes('celery')));
  for (const p of celery) out.push(`@@proc ${p.pid} b64`, b64(Buffer.concat(p.argv.map((w) => Buffer.from(`${w}\0`)))), '', b64('/srv/app\n'));
  const parts = celery.filter((p) => p.cgroup !== undefined).map((p) => {
    const env = p.env === null ? ['@@unreadable'] : Object.entries(p.env ?? {}).map(([k, v]) => `${k}=${v.replace(/\n/g, '\x01')}`);
    return [`@@pid ${p.pid}`, ...(p.cgroup ? p.cgroup.split('\n') : []), '@@environ', ...env].join('\n');
  });
  out.push('@@evidence b64', b64(o.blob ?? `${parts.join('\n')}\n`));
  if (o.fds !== null) out.push('@@fds', ...(o.fds ?? celery.map((p) => `n ${p.pid} net:[4026531840]`)));
  else out.push('@@fds-missing');
  if (o.tcp) out.push('@@tcp 100', ...o.tcp);
  for (const u of o.units ?? []) out.push('@@unit b64', b64(u));
  for (const s of o.superv ?? []) out.push(`@@superv ${s.pid} b64`, b64(s.argv.map((w) => `${w}\0`).join('')), b64(`${s.path}\n`), b64(s.text));
  out.push('@@df', '@@end', '');
  return out.join('\n');
}

const byPid = (text: string) => new Map(parseProbe('t', text).processes.map((p) => [p.pid, p]));

// The shape systemd prints (checked against systemd 219-252 output); systemd
// cannot run in the test containers, so this text is written, not captured here.
const SYSTEMD_CGROUP_V2 = '0::/system.slice/celery-main.service';
const SYSTEMD_CGROUP_V1 = [
  '12:pids:/system.slice/celery-main.service', '11:memory:/system.slice/celery-main.service', '4:cpu,cpuacct:/system.slice/celery-main.service',
  '1:name=systemd:/system.slice/celery-main.service', '0::/system.slice/celery-main.service',
].join('\n');
const SYSTEMCTL_SHOW = [
  'celery-main.service',
  'Restart=always',
  'ExecStart={ path=/srv/venv/bin/celery ; argv[]=/srv/venv/bin/celery -A app worker -n main@%h ; ignore_errors=no ; start_time=[Tue 2026-12-01 09:00:01 UTC] ; stop_time=[n/a] ; pid=100 ; code=(null) ; status=0/0 }',
  'FragmentPath=/etc/systemd/system/celery-main.service',
  '',
].join('\n');
const SUPERVISORD_CONF = [
  '[unix_http_server]', '[supervisord]', '[include]',
  '[group:workers]', 'programs=celery,beat', '[program:celery]', 'numprocs=2', 'process_name=celery_%(process_num)02d', 'autorestart=unexpected',
  '[program:beat]', 'autorestart = true ; keep it up', '[program:solo]',
].join('\n');

const FLEET: P[] = [
  { pid: 1, ppid: 0, argv: ['/sbin/init'] },
  { pid: 100, ppid: 1, argv: W('main'), cgroup: SYSTEMD_CGROUP_V2, env: { INVOCATION_ID: 'abc', CELERY_BROKER_URL: 'redis://:s3cret@127.0.0.1:6379/0' } },
  { pid: 50, ppid: 1, argv: ['/usr/bin/python3', '/usr/bin/supervisord', '-n', '-c', '/etc/supervisor/supervisord.conf'] },
  { pid: 200, ppid: 50, argv: W('sup'), cgroup: '0::/system.slice/supervisor.service', env: { SUPERVISOR_ENABLED: '1', SUPERVISOR_GROUP_NAME: 'workers', SUPERVISOR_PROCESS_NAME: 'celery_00' } },
  { pid: 60, ppid: 1, argv: ['bash', '-e', '/opt/run-worker.sh', '--fast'] },
  { pid: 300, ppid: 60, argv: W('loop'), cgroup: '0::/system.slice/worker-loop.service', env: {} },
  { pid: 400, ppid: 0, argv: W('kube'), cgroup: '0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-1234.scope', env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' } },
  { pid: 70, ppid: 1, argv: ['-bash'] },
  { pid: 500, ppid: 70, argv: W('closed'), cgroup: '0::/user.slice/user-1000.slice/session-3.scope', env: null },
  { pid: 600, ppid: 70, argv: ['celery', '-A', 'app', '-b', 'redis://:argvpw@127.0.0.1:7000/0', 'worker', '-n', 'dead@%h'], cgroup: '0::/user.slice/user-1000.slice/session-3.scope', env: { CELERY_BROKER_URL: 'redis://127.0.0.1:6379/5' } },
  { pid: 80, ppid: 1, argv: ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'moby', '-id', 'a'.repeat(64)] },
  { pid: 700, ppid: 80, argv: W('boxed'), cgroup: `0::/system.slice/docker-${'a'.repeat(64)}.scope`, env: { BROKER_URL: 'amqp://guest:guest@127.0.0.1:5672//' } },
  { pid: 800, ppid: 70, argv: W('dev'), cgroup: '0::/user.slice/user-1000.slice/user@1000.service/app.slice/celery-dev.service', env: {} },
];
const FDS = [
  'q 100', ...FLEET.filter((p) => p.cgroup !== undefined && p.pid !== 500).map((p) => `n ${p.pid} net:[4026531840]`), 'x 500',
  's 100 9001', 's 100 9002', 's 100 9003', 's 600 9100', 's 600 9101',
];
const TCP = [
  '0100007F:D431 0100007F:18EB 01 9001', // 127.0.0.1:54321 -> :6379
  '0000000000000000FFFF00000100007F:D432 0000000000000000FFFF00000100007F:18EB 01 9002',
  '0100007F:D433 0100007F:1B58 02 9100', // SYN_SENT to :7000
  '0100007F:D434 0100007F:1B58 0A 9101', // LISTEN-ish junk state: dropped
  '00000000000000000000000001000000:1F90 00000000000000000000000001000000:18EB 01 777', // no worker owns inode 777
];
const HOST = probe(FLEET, {
  fds: FDS, tcp: TCP, units: [SYSTEMCTL_SHOW, 'worker-loop.service\nRestart=no\nExecStart=\nFragmentPath=/lib/systemd/system/worker-loop.service\n', 'supervisor.service\nRestart=on-failure\n'],
  superv: [{ pid: 50, argv: FLEET[2].argv, path: '/etc/supervisor/supervisord.conf', text: SUPERVISORD_CONF }],
});

describe('a host with every kind of supervisor', () => {
  const procs = byPid(HOST);
  const sup = (pid: number) => procs.get(pid)!.supervisor;

  it('systemd: the unit from the cgroup, Restart= and ExecStart= from systemctl show', () => {
    expect(sup(100)).toEqual({
      kind: 'systemd', name: 'celery-main.service', restart: 'always', exec_start: '/srv/venv/bin/celery -A app worker -n main@%h',
      fragment_path: '/etc/systemd/system/celery-main.service',
    });
    expect(stopCommand(sup(100))).toEqual(['systemctl', 'stop', 'celery-main.service']);
    expect(restartsAfterKill(sup(100))).toBe(true);
    expect(serviceOf(SYSTEMD_CGROUP_V1)).toEqual({ name: 'celery-main.service', user: false });
  });

  it('supervisord: group:process from the environment, autorestart from the [group:] program', () => {
    expect(sup(200)).toEqual({ kind: 'supervisord', name: 'workers:celery_00', restart: 'unexpected' });
    expect(stopCommand(sup(200))).toEqual(['supervisorctl', 'stop', 'workers:celery_00']);
    expect(restartsAfterKill(sup(200))).toBeNull();
  });

  it('script: the shell parent and its script path, with the unit that runs the script as outer', () => {
    expect(sup(300)).toEqual({
      kind: 'script', name: '/opt/run-worker.sh', restart: null, parent_pid: 60,
      outer: { kind: 'systemd', name: 'worker-loop.service', restart: 'no', exec_start: null, fragment_path: '/lib/systemd/system/worker-loop.service' },
    });
    expect(stopCommand(sup(300))).toEqual(['kill', '60']);
  });

  it('kubernetes: the pod is the hostname; docker: only the container main process', () => {
    expect(sup(400)).toEqual({ kind: 'kubernetes', name: 'hostA', restart: null });
    expect(sup(700)).toEqual({ kind: 'docker', name: 'aaaaaaaaaaaa', restart: null });
    expect(procs.get(700)).toMatchObject({ broker_url: 'amqp://guest:****@127.0.0.1:5672//', broker_from: 'env' });
  });

  it('a user unit is named but not asked about, and stops with systemctl --user', () => {
    expect(sup(800)).toEqual({ kind: 'systemd', name: 'celery-dev.service', restart: null, exec_start: null, fragment_path: null, user_unit: true });
    expect(stopCommand(sup(800))).toEqual(['systemctl', '--user', 'stop', 'celery-dev.service']);
  });

  it('the environment wins for the broker unless -b is given; passwords never leave the parser', () => {
    expect(procs.get(100)).toMatchObject({ broker_url: 'redis://:****@127.0.0.1:6379/0', broker_from: 'env' });
    expect(procs.get(600)).toMatchObject({ broker_url: 'redis://:****@127.0.0.1:7000/0', broker_from: 'argv' });
    const shown = [...procs.values()].map(({ argv: _a, command: _c, ...rest }) => rest);
    expect(JSON.stringify(shown)).not.toMatch(/s3cret|argvpw|guest:guest/);
  });

  it('connections: only its own ESTABLISHED and SYN_SENT sockets, IPv4-mapped shown as IPv4', () => {
    expect(procs.get(100)!.connections).toEqual([
      { local: '127.0.0.1:54321', remote: '127.0.0.1:6379', state: 'ESTABLISHED' },
      { local: '127.0.0.1:54322', remote: '127.0.0.1:6379', state: 'ESTABLISHED' },
    ]);
    expect(procs.get(600)!.connections).toEqual([{ local: '127.0.0.1:54323', remote: '127.0.0.1:7000', state: 'SYN_SENT' }]);
    expect(procs.get(300)!.connections).toEqual([]);
    expect(procs.get(300)!.netns).toBe('net:[4026531840]');
    expect(procs.get(500)!.netns).toBeNull();
  });

  it('a process whose environ and fds are closed to us: nulls, not [] (a shell parent still counts)', () => {
    const p = procs.get(500)!;
    expect(p).toMatchObject({ broker_url: null, broker_from: null, connections: null, cgroup: '0::/user.slice/user-1000.slice/session-3.scope' });
    expect(p.supervisor).toEqual({ kind: 'none', name: null, restart: null });
    expect(restartsAfterKill(p.supervisor)).toBe(false);
  });
});

describe('missing or hostile evidence', () => {
  const one = (over: Partial<P>, o: Parameters<typeof probe>[1] = {}): ProcessRecord =>
    parseProbe('t', probe([{ pid: 1, ppid: 0, argv: ['/sbin/init'] }, { pid: 9, ppid: 1, argv: W('x'), ...over }], o)).processes[0];

  it('with no awk on the host, connections are unknown', () => {
    expect(one({ cgroup: '0::/', env: {} }, { fds: null }).connections).toBeNull();
  });

  // An empty list reads "connected to no broker", which may plan a kill: only a whole list may say so.
  it('a probe cut short, or a pid at the socket cap, has unknown connections, never an empty list', () => {
    const procs: P[] = [{ pid: 1, ppid: 0, argv: ['/sbin/init'] }, { pid: 9, ppid: 1, argv: W('x'), cgroup: '0::/', env: {} }];
    const sockets = (n: number) => ['n 9 net:[4026531840]', ...Array.from({ length: n }, (_, i) => `s 9 ${1000 + i}`)];
    const whole = probe(procs, { fds: sockets(3), tcp: [] });
    expect(parseProbe('t', whole).processes[0].connections).toEqual([]);
    const cut = whole.slice(0, whole.indexOf('@@df'));
    expect(parseProbe('t', cut)).toMatchObject({ ok: true, partial: true });
    expect(parseProbe('t', cut).processes[0].connections).toBeNull();
    expect(one({ cgroup: '0::/', env: {} }, { fds: sockets(SOCKETS_PER_PID - 1), tcp: [] }).connections).toEqual([]);
    expect(one({ cgroup: '0::/', env: {} }, { fds: sockets(SOCKETS_PER_PID), tcp: [] }).connections).toBeNull();
  });

  it('without environment or cgroup, a pid-1 parent proves nothing: supervisor null', () => {
    expect(one({}).supervisor).toBeNull();
    expect(one({ cgroup: '', env: null }).supervisor).toBeNull();
  });

  it('a value cannot start a line, and a forged @@pid marker voids both parts', () => {
    const p = one({ cgroup: '0::/', env: { CELERY_BROKER_URL: 'redis://127.0.0.1/0\n0::/system.slice/fake.service' } });
    expect(p.broker_url).toBe('redis://127.0.0.1/0\n0::/system.slice/fake.service');
    expect(p.supervisor?.kind).toBe('none');
    const forged = '@@pid 9\n0::/\n@@environ\nBROKER_URL=redis://a/0\n@@pid 9\n0::/system.slice/evil.service\n@@environ\n';
    expect(one({}, { blob: forged })).toMatchObject({ broker_url: null, cgroup: null, supervisor: null });
  });

  it('survives garbage everywhere without throwing', () => {
    const junk = ['\0\x1b[2J', '@@pid', '@@pid 99999999999', 'x'.repeat(100_000), '@@environ\n@@environ', '0:'.repeat(5000)];
    for (const blob of junk) {
      const text = probe([{ pid: 9, ppid: 1, argv: W('x') }], { blob, fds: ['s', 'n x y', 'x', 's 9 notanumber', 'q'], tcp: ['zz', '0100007F:XXXX 1 01 1'], units: [blob], superv: [{ pid: 1, argv: [], path: blob, text: blob }] });
      expect(() => parseProbe('t', text)).not.toThrow();
      expect(parseProbe('t', text).processes).toHaveLength(1);
    }
  });

  it('a cut inside the evidence drops the record, never half of it', () => {
    const text = probe([{ pid: 9, ppid: 1, argv: W('x'), cgroup: '0::/', env: {} }]);
    const cut = text.slice(0, text.indexOf('@@evidence') + 14);
    const r = parseProbe('t', cut);
    expect(r.partial).toBe(true);
    expect(r.processes[0]).toMatchObject({ cgroup: null, connections: null, supervisor: null });
  });
});

describe('pieces', () => {
  it.each([
    ['0100007F:18EB', '127.0.0.1:6379'],
    ['00000000000000000000000001000000:18EB', '[::1]:6379'],
    ['0000000000000000FFFF00000100007F:0050', '127.0.0.1:80'],
    ['B80D0120000000000000000001000000:01BB', '[2001:db8::1]:443'],
    ['nothex:18EB', null],
    ['0100007F', null],
  ])('endpoint %s', (hex, want) => expect(endpoint(hex)).toBe(want));

  it.each([
    [['celery', '-b', 'redis://a/0', 'worker'], 'redis://a/0'],
    [['celery', '-bredis://a/1', 'worker'], 'redis://a/1'],
    [['celery', '--broker=amqp://b//', 'worker'], 'amqp://b//'],
    [['celery', '--broker', 'x://1', 'worker', '--broker', 'x://2'], 'x://2'],
    [['celery', 'worker', '--', '-b', 'x://3'], null],
    [['sh', '-c', 'exec celery -b redis://c/0 worker'], 'redis://c/0'],
    [['python3', '-c', 'celery -b x worker'], null],
    [['celery', 'beat', '-b', 'x://4'], null],
  ])('brokerFromArgv %j', (argv, want) => expect(brokerFromArgv(argv)).toBe(want));

  it('brokerEvidence: argv, then CELERY_BROKER_URL, BROKER_URL, CELERY_BROKER; blank values skipped', () => {
    expect(brokerEvidence(['celery', 'worker'], { BROKER_URL: 'redis://:p@a/0', CELERY_BROKER: 'redis://b/0' })).toEqual({ broker_url: 'redis://:****@a/0', broker_from: 'env' });
    expect(brokerEvidence(['celery', 'worker'], { CELERY_BROKER_URL: '  ', CELERY_BROKER: 'redis://b/0' })).toEqual({ broker_url: 'redis://b/0', broker_from: 'env' });
    expect(brokerEvidence(['celery', 'worker'], null)).toEqual({ broker_url: null, broker_from: null });
    expect(brokerEvidence(['celery', '-b', 'redis://:x@c/0', 'worker'], null)).toEqual({ broker_url: 'redis://:****@c/0', broker_from: 'argv' });
  });

  it.each([
    ['redis://:pw@h:6379/0', 'redis://:****@h:6379/0'],
    ['amqp://u:p@ss@h/vh', 'amqp://u:****@h/vh'],
    ['redis://:pa/ss@h/0', 'redis://****@h/0'],
    ['sentinel://:a@h1:26379;sentinel://:b@h2:26379', 'sentinel://:****@h1:26379;sentinel://:****@h2:26379'],
    ['rediss://h/0?ssl_cert_reqs=none&password=x', 'rediss://h/0?ssl_cert_reqs=none&password=****'],
    ['not a url :pw@x', '****@x'],
    ['redis://h:6379/0', 'redis://h:6379/0'],
    ['redis://:pw@h/0\n', 'redis://****@h/0\n'],
  ])('maskSecretUrl %s', (url, want) => expect(maskSecretUrl(url)).toBe(want));

  it('readBlob: cgroup before the marker, NAME=value after; unreadable → env null', () => {
    expect(readBlob('0::/a.service\n@@environ\nBROKER_URL=x\x01y\n9:junk')).toEqual({ env: { BROKER_URL: 'x\ny' }, cgroup: '0::/a.service' });
    expect(readBlob('0::/\n@@environ\n@@unreadable')).toEqual({ env: null, cgroup: '0::/' });
    expect(readBlob('')).toEqual({ env: null, cgroup: null });
  });

  it('readUnits keeps only answered .service units', () => {
    expect([...readUnits(['a.service\nRestart=on-failure', 'b.service\n', 'evil\nRestart=always']).entries()])
      .toEqual([['a.service', { restart: 'on-failure', exec_start: null, fragment_path: null }]]);
  });

  it('readSupervisordConfig: defaults to unexpected, reads groups and inline comments', () => {
    const p = readSupervisordConfig(SUPERVISORD_CONF);
    expect(Object.fromEntries(p)).toEqual({
      celery: { autorestart: 'unexpected', group: 'workers' }, beat: { autorestart: 'true', group: 'workers' }, solo: { autorestart: 'unexpected', group: null },
    });
  });

  it.each([
    [{ kind: 'none', name: null, restart: null }, null, false],
    [{ kind: 'supervisord', name: 'g:p', restart: 'true' }, ['supervisorctl', 'stop', 'g:p'], true],
    [{ kind: 'supervisord', name: 'g:p', restart: 'false' }, ['supervisorctl', 'stop', 'g:p'], false],
    [{ kind: 'systemd', name: 'a.service', restart: 'on-failure' }, ['systemctl', 'stop', 'a.service'], false],
    [{ kind: 'docker', name: 'box', restart: 'unless-stopped' }, ['docker', 'stop', 'box'], true],
    [{ kind: 'compose', name: 'proj/web', restart: 'no' }, ['docker', 'compose', '-p', 'proj', 'stop', 'web'], false],
    [{ kind: 'script', name: 'sh -c while true; do celery worker; done', restart: 'loop', parent_pid: 5 }, ['kill', '5'], true],
    [{ kind: 'kubernetes', name: 'pod-1', restart: null }, null, true],
  ] as const)('stopCommand/restartsAfterKill %j', (s, stop, back) => {
    expect(stopCommand(s)).toEqual(stop);
    expect(restartsAfterKill(s)).toBe(back);
  });

  it('a shell -c parent counts only when it loops', () => {
    const loop = byPid(probe([{ pid: 5, ppid: 1, argv: ['sh', '-c', 'while true; do celery -A app worker -n w@%h; sleep 1; done'] }, { pid: 6, ppid: 5, argv: W('w'), cgroup: '0::/', env: {} }]));
    expect(loop.get(6)!.supervisor).toMatchObject({ kind: 'script', restart: 'loop', parent_pid: 5 });
  });

  it('the probe stays one constant line any login shell runs, and never names what it looks for', () => {
    const script = PROBE_COMMAND.slice("sh -c '".length, -1);
    expect(PROBE_COMMAND.startsWith("sh -c '") && PROBE_COMMAND.endsWith("'")).toBe(true);
    expect(script).not.toMatch(/['!\n]/);
    expect(script).not.toContain('\\\\'); // fish reads \\ inside single quotes as one backslash
    expect(script).not.toMatch(/celery|supervisord/);
    for (const name of ['CELERY_BROKER_URL', 'SUPERVISOR_PROCESS_NAME', 'KUBERNETES_SERVICE_HOST', 'INVOCATION_ID']) expect(script).toContain(name);
    expect(script).toMatch(/head -c 262144/);
  });
});
