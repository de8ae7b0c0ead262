// The SSH probe's output, read: sections, ps lines, exact argv from /proc,
// pool children, and everything that can go wrong with the bytes.
import { describe, expect, it } from 'vitest';
import { explainSsh, sshArgs } from '../../src/sources/ssh/hosts.js';
import { parseProbe } from '../../src/sources/ssh/parse.js';
import { PROBE_COMMAND } from '../../src/sources/ssh/probe.js';

interface Proc {
  pid: number;
  ppid?: number;
  stat?: string;
  argv: (string | Uint8Array)[];
  cwd?: string;
  /** Leave out of the ps listing (as on a host without ps). */
  noPs?: boolean;
}

const enc = (b: Uint8Array | string, hex: boolean) => Buffer.from(b).toString(hex ? 'hex' : 'base64');
const cmdline = (argv: Proc['argv']) => Buffer.concat(argv.flatMap((a) => [Buffer.from(a), Buffer.from([0])]));
const psArgs = (argv: Proc['argv']) => Buffer.concat(argv.map((a, i) => Buffer.concat([Buffer.from(i ? ' ' : ''), Buffer.from(a)])));

/** What the probe prints, built from processes (a Buffer: argv may hold any bytes). */
function probe(procs: Proc[], o: { ps?: 'ok' | 'missing' | number; hex?: boolean; head?: string; end?: boolean } = {}): Buffer {
  const ps = o.ps ?? 'ok';
  const parts: (string | Buffer)[] = [
    o.head ?? '', '@@fleetdoc-probe 1\n@@hostname\nhostA\n@@loadavg\n0.52 1.25 2.00 3/456 789\n',
    '@@meminfo\nMemTotal:       16318132 kB\nMemAvailable:    9000000 kB\n@@uptime\n1000.50 3000.00\n@@sysconf\n100 4096\n@@ps\n',
  ];
  if (ps !== 'missing') {
    for (const p of procs.filter((q) => !q.noPs)) {
      parts.push(`${String(p.pid).padStart(7)} ${String(p.ppid ?? 1).padStart(7)} ${(p.stat ?? 'Sl').padEnd(4)} ${String(500).padStart(9)} ${String(150000).padStart(8)} `);
      parts.push(psArgs(p.argv), '\n');
    }
    parts.push(`@@ps-exit ${ps === 'ok' ? 0 : ps}\n`);
  } else parts.push('@@ps-missing\n');
  for (const p of procs.filter((q) => q.argv.some((a) => Buffer.from(a).includes('celery')))) {
    const stat = `${p.pid} (python3) ${p.stat ?? 'S'} ${p.ppid ?? 1} 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 40050 1000000 2500 0 0`;
    parts.push(`@@proc ${p.pid} ${o.hex ? 'hex' : 'b64'}\n`, enc(cmdline(p.argv), !!o.hex), '\n', enc(stat, !!o.hex), '\n');
    parts.push(enc(p.cwd === undefined ? '' : `${p.cwd}\n`, !!o.hex), '\n');
  }
  parts.push('@@df\nFilesystem     1024-blocks     Used Available Capacity Mounted on\n');
  parts.push('/dev/sda1        100000000 91000000   9000000      91% /\n');
  parts.push('/dev/sdb1           500000   100000    400000      20% /mnt/my data\n');
  parts.push('proc                     0        0         0        - /proc\n');
  if (o.end !== false) parts.push('@@end\n');
  return Buffer.concat(parts.map((p) => Buffer.from(p)));
}

const APP = ['/srv/venv/bin/python', '-m', 'celery', '-A', 'app.tasks.celery_app', 'worker'];
const FLEET: Proc[] = [
  { pid: 1, ppid: 0, stat: 'Ss', argv: ['/sbin/init'] },
  { pid: 2, ppid: 0, stat: 'S', argv: ['[kthreadd]'] },
  { pid: 100, argv: [...APP, '-n', 'main-v0.13.0@%h', '-Q', 'celery', '-c', '2'], cwd: '/srv/app' },
  { pid: 101, ppid: 100, stat: 'S', argv: [...APP, '-n', 'main-v0.13.0@%h', '-Q', 'celery', '-c', '2'] },
  { pid: 102, ppid: 100, stat: 'S', argv: [...APP, '-n', 'main-v0.13.0@%h', '-Q', 'celery', '-c', '2'] },
  { pid: 200, argv: ['celery', '-A', 'app', 'worker', '--hostname=tundra-gpu@%h', '-P', 'solo'] },
  { pid: 300, stat: 'T', argv: ['/usr/bin/python3', '/usr/bin/celery', 'worker', '-c', '1'] },
  { pid: 301, ppid: 300, stat: 'T', argv: ['/usr/bin/python3', '/usr/bin/celery', 'worker', '-c', '1'] },
  // A wrapper shell that stayed behind: its child is the worker.
  { pid: 400, stat: 'Ss', argv: ['/bin/sh', '-c', 'cd /srv && celery worker -n wrapped@%h'] },
  { pid: 401, ppid: 400, argv: ['celery', 'worker', '-n', 'wrapped@%h'] },
  { pid: 500, stat: 'Z', argv: ['[celery] <defunct>'] },
  { pid: 600, argv: ['celery', '-A', 'app', 'beat'] },
  { pid: 700, argv: ['grep', 'celery'] },
];

describe('parseProbe on a healthy host', () => {
  const r = parseProbe('pandalab-01', probe(FLEET));

  it('reads the host: name, load, memory and the disks df shows', () => {
    expect(r).toMatchObject({ target: 'pandalab-01', ok: true, error: null, partial: false, hostname: 'hostA', warnings: [] });
    expect(r.load).toEqual([0.52, 1.25, 2]);
    expect(r.memory).toEqual({ total_kb: 16318132, available_kb: 9000000 });
    expect(r.disks).toEqual([{ mount: '/', use_pct: 91, avail_kb: 9000000 }, { mount: '/mnt/my data', use_pct: 20, avail_kb: 400000 }]);
  });

  it('lists each worker main process once, with its pool children', () => {
    expect(r.processes.map((p) => [p.worker_name, p.pid, p.children, p.state])).toEqual([
      ['celery@hostA', 300, [301], 'T'],
      ['main-v0.13.0@hostA', 100, [101, 102], 'S'],
      ['tundra-gpu@hostA', 200, [], 'S'],
      ['wrapped@hostA', 401, [], 'S'],
    ]);
    expect(r.processes[1]).toEqual({
      target: 'pandalab-01', host: 'hostA', pid: 100, ppid: 1, state: 'S', elapsed_s: 500, rss_kb: 150000, children: [101, 102],
      command: '/srv/venv/bin/python -m celery -A app.tasks.celery_app worker -n main-v0.13.0@%h -Q celery -c 2',
      argv: [...APP, '-n', 'main-v0.13.0@%h', '-Q', 'celery', '-c', '2'],
      worker_name: 'main-v0.13.0@hostA', queues: ['celery'], concurrency: 2, cwd: '/srv/app',
      // No evidence sections in this output: unknown, not "none".
      broker_url: null, broker_from: null, connections: null, netns: null, cgroup: null, supervisor: null,
    });
  });

  it('reads the same from hex as from base64', () => {
    expect(parseProbe('h', probe(FLEET, { hex: true })).processes).toEqual(parseProbe('h', probe(FLEET)).processes);
  });

  it('skips a login banner printed before the probe', () => {
    expect(parseProbe('h', probe(FLEET, { head: 'Welcome to Ubuntu\n@@ not ours\n' })).processes).toHaveLength(4);
  });

  it('lists two workers started with the same argv (a duplicate name) as two', () => {
    const twin = { pid: 900, argv: ['celery', 'worker', '-n', 'twin@%h'] };
    expect(parseProbe('h', probe([twin, { ...twin, pid: 901 }])).processes.map((p) => p.pid)).toEqual([900, 901]);
  });
});

describe('parseProbe on odd arguments and bytes', () => {
  it('takes the exact argv from /proc, so a name with spaces survives', () => {
    const [p] = parseProbe('h', probe([{ pid: 10, argv: ['celery', 'worker', '-n', 'my  worker@%h', '-Q', 'a b,c'] }])).processes;
    expect(p.worker_name).toBe('my  worker@hostA');
    expect(p.queues).toEqual(['a b', 'c']);
    expect(p.command).toBe("celery worker -n 'my  worker@%h' -Q 'a b,c'");
  });

  it('keeps newlines and probe markers inside an argument from confusing the reader', () => {
    const [p] = parseProbe('h', probe([{ pid: 10, argv: ['celery', 'worker', '-n', 'x\n@@end\n@@ps@%h'] }])).processes;
    expect(p.worker_name).toBe('x\n@@end\n@@ps@hostA');
  });

  it('replaces bytes that are not UTF-8 and never throws', () => {
    const bad = Uint8Array.from([0x71, 0xff, 0xfe, 0x80]);
    const r = parseProbe('h', probe([{ pid: 10, argv: ['celery', 'worker', '-Q', bad, '-n', Uint8Array.from([0xc3, 0x28, 0x40, 0x25, 0x68])] }]));
    expect(r.ok).toBe(true);
    expect(r.processes[0].queues).toEqual(['q\uFFFD\uFFFD\uFFFD']);
    expect(r.processes[0].worker_name).toBe('\uFFFD(@hostA');
  });

  it('handles a 1 MB argument in ps and in /proc', () => {
    const huge = `${'q,'.repeat(500_000)}last`;
    const t0 = Date.now();
    const r = parseProbe('h', probe([{ pid: 10, argv: ['celery', 'worker', '-n', 'big@%h', '-Q', huge] }]));
    expect(r.processes[0].queues).toHaveLength(500_001);
    expect(r.processes[0].worker_name).toBe('big@hostA');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('survives argv that is only flags, only spaces, or empty', () => {
    const r = parseProbe('h', probe([
      { pid: 10, argv: ['celery'] }, { pid: 11, argv: ['', '', 'celery'] }, { pid: 12, argv: ['celery', '--', '-n', 'w'] },
      { pid: 13, argv: ['celery worker'] }, { pid: 14, argv: ['[celeryd: ]'] }, { pid: 15, argv: ['[celeryd: a:MainProcess] ('] },
    ]));
    expect(r.ok).toBe(true);
    expect(r.processes.map((p) => p.pid)).toEqual([15]);
  });

  it('reads workers that show a setproctitle title instead of their argv', () => {
    const r = parseProbe('h', probe([
      { pid: 10, argv: ['[celeryd: main-v0.12.0@box:MainProcess] -active- (-A app worker -n main-v0.12.0@%h -c 2)'] },
      { pid: 11, ppid: 10, argv: ['[celeryd: main-v0.12.0@box:ForkPoolWorker-1]'] },
      { pid: 12, ppid: 10, argv: ['[celeryd: main-v0.12.0@box:ForkPoolWorker-2]'] },
    ]));
    expect(r.processes.map((p) => [p.worker_name, p.children, p.argv.join(' ')]))
      .toEqual([['main-v0.12.0@box', [11, 12], 'celery -A app worker -n main-v0.12.0@%h -c 2']]);
    expect(r.warnings[0]).toMatch(/process title/);
  });
});

describe('parseProbe on a broken or cut host', () => {
  it('reads workers from /proc when ps is missing, and says so', () => {
    const r = parseProbe('h', probe(FLEET.map((p) => ({ ...p, noPs: true })), { ps: 'missing' }));
    expect(r.warnings).toEqual(['ps not found; Celery processes were read from /proc']);
    expect(r.load).not.toBeNull();
    expect(r.memory).not.toBeNull();
    expect(r.disks).toHaveLength(2);
    const main = r.processes.find((p) => p.worker_name === 'main-v0.13.0@hostA')!;
    // elapsed = uptime 1000.5 - starttime 40050 ticks / 100; rss = 2500 pages of 4 kB.
    expect(main).toMatchObject({ pid: 100, ppid: 1, state: 'S', elapsed_s: 600, rss_kb: 10000, children: [101, 102] });
  });

  it('says when ps failed', () => {
    expect(parseProbe('h', probe(FLEET, { ps: 1 })).warnings).toEqual(['ps failed (exit 1); Celery processes were read from /proc']);
  });

  it('is not ok when there is no probe output at all', () => {
    for (const out of ['', 'This account is currently not available.\n', Buffer.from([0xff, 0x00, 0x0a])]) {
      expect(parseProbe('h', out)).toMatchObject({ ok: false, error: 'the probe printed nothing readable', processes: [] });
    }
  });

  it('flags a missing end marker as partial', () => {
    const r = parseProbe('h', probe(FLEET, { end: false }));
    expect(r).toMatchObject({ ok: true, partial: true });
    expect(r.processes).toHaveLength(4);
  });

  it('never reads a worker from a line cut in the middle', () => {
    const out = `@@fleetdoc-probe 1\n@@hostname\nhostA\n@@ps\n   10     1 S   5 100 celery worker -n full@%h\n   11     1 S   5 100 celery worker -n cu`;
    const r = parseProbe('h', out);
    expect(r).toMatchObject({ ok: true, partial: true });
    expect(r.processes.map((p) => p.worker_name)).toEqual(['full@hostA']);
  });

  it('cut at any byte: never throws, is partial, and lists only true workers', () => {
    const full = probe(FLEET);
    const truth = parseProbe('h', full).processes;
    const names = new Set(truth.map((p) => p.worker_name));
    for (let n = 0; n < full.length; n += 7) {
      const r = parseProbe('h', full.subarray(0, n));
      if (!r.ok) continue; // cut before the start marker
      expect(r.partial).toBe(true);
      // Names are always true; a wrapper may stand in for a worker whose line was cut off.
      for (const p of r.processes) expect(names).toContain(p.worker_name);
    }
  });
});

describe('the ssh command line', () => {
  it('is one fixed probe with BatchMode, a connect timeout and the port split off', () => {
    expect(sshArgs('127.0.0.21:2201', '/tmp/cfg', 4500)).toEqual([
      '-T', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-o', 'ClearAllForwardings=yes', '-F', '/tmp/cfg', '-p', '2201',
      '--', '127.0.0.21', PROBE_COMMAND,
    ]);
    expect(sshArgs('deploy@[::1]:2222', null, 5000).slice(-4)).toEqual(['2222', '--', 'deploy@::1', PROBE_COMMAND]);
    expect(sshArgs('prod-alias', null, 5000).slice(-3)).toEqual(['--', 'prod-alias', PROBE_COMMAND]);
    expect(sshArgs('prod-alias', null, 5000)).not.toContain('KexAlgorithms=^curve25519-sha256,curve25519-sha256@libssh.org');
    expect(sshArgs('prod-alias', null, 5000, { fastKex: true })).toContain('KexAlgorithms=^curve25519-sha256,curve25519-sha256@libssh.org');
    expect(sshArgs('h:22', null, 5000, { command: ['kill', '-TERM', '42'] }).slice(-5)).toEqual(['22', '--', 'h', 'kill', '-TERM', '42'].slice(-5));
  });

  it('is safe for any login shell: one line, no single quote inside, no history `!`', () => {
    const script = PROBE_COMMAND.slice("sh -c '".length, -1);
    expect(PROBE_COMMAND.startsWith("sh -c '") && PROBE_COMMAND.endsWith("'")).toBe(true);
    expect(script).not.toMatch(/['!\n]/);
    expect(script).not.toMatch(/celery/); // so it never finds itself
  });

  it.each([
    ['ssh: connect to host 127.0.0.1 port 1: Connection refused', 'connection refused'],
    ['root@127.0.0.22: Permission denied (publickey,password).', 'permission denied (publickey,password)'],
    ['Host key verification failed.', 'host key verification failed'],
    ['ssh: Could not resolve hostname nope: Name or service not known', 'could not resolve hostname'],
    ['Connection timed out during banner exchange', 'timed out after 5.0 s'],
    ['kex_exchange_identification: Connection closed by remote host', 'connection closed by the host'],
    ['/x/cfg: line 1: Bad configuration option: frob\n/x/cfg: terminating, 1 bad configuration options', 'ssh failed: /x/cfg: terminating, 1 bad configuration options'],
    ['', 'ssh failed (exit 255)'],
  ])('explains %j', (stderr, reason) => {
    expect(explainSsh(stderr, 255, 'timed out after 5.0 s')).toBe(reason);
  });

  it('tells a failed remote command from a failed ssh', () => {
    expect(explainSsh('This account is currently not available.\n', 1)).toBe('the probe did not run (exit 1): This account is currently not available.');
  });
});
