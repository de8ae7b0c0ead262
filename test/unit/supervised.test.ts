// Remediation that sticks: a supervised worker is stopped and started again through its supervisor.
// systemd cannot run in the test containers: its records here are what the SSH source reads from
// /proc/<pid>/cgroup and `systemctl show` (see test/unit/ssh-evidence.test.ts for that text).
import { describe, expect, it } from 'vitest';
import { remedies } from '../../src/model/remedy/commands.js';
import { fixSteps } from '../../src/model/remedy/fixguide.js';
import { planKill } from '../../src/model/remedy/plan.js';
import { selectTargets } from '../../src/model/remedy/targets.js';
import type { Supervisor } from '../../src/model/types.js';
import { bw, fleetOf, proc } from '../helpers/model.js';

const o = { brokerDisplay: 'redis://b:6379/0' };
const ARGV = ['/srv/venv/bin/celery', '-A', 'app', 'worker', '-n', 'main@%h', '-Q', 'celery'];
const worker = (supervisor: Supervisor) => proc('main@h', { pid: 100, children: [101], argv: ARGV, supervisor, cwd: '/srv/app' });
const fix = (s: Supervisor) => remedies(fixSteps(worker(s), { serverVersion: '0.13.0', hung: false }), o).map((r) => `${r.where}: ${r.command}`);
const plan = (s: Supervisor) => planKill(selectTargets(fleetOf({ workers: [bw('main@h', { pid: 100 })], processes: [worker(s)] }), ['main@h'], []), { ...o, graceS: 10, rm: false })[0];

const systemd: Supervisor = {
  kind: 'systemd', name: 'celery-main.service', restart: 'always', exec_start: '/srv/venv/bin/celery -A app worker -n main@%h -Q celery',
  fragment_path: '/etc/systemd/system/celery-main.service',
};
const supervisord: Supervisor = { kind: 'supervisord', name: 'celeryw:celeryw', restart: 'true' };
const script: Supervisor = { kind: 'script', name: '/srv/loop.sh', restart: 'loop', parent_pid: 90 };
const pod: Supervisor = { kind: 'kubernetes', name: 'worker-7d9f8c6b5d-x2k4p', restart: null };

describe('the fix guide, by supervisor', () => {
  it('systemd: stop the unit, correct its ExecStart (%% for systemd), reload and restart', () => {
    expect(fix(systemd)).toEqual([
      'ssh h: systemctl stop celery-main.service',
      '/etc/systemd/system/celery-main.service: ExecStart: ExecStart=/srv/venv/bin/celery -A app worker -n main-v0.13.0@%%h -Q celery',
      'ssh h: systemctl daemon-reload && systemctl restart celery-main.service',
    ]);
  });

  it('supervisord: supervisorctl stop, the corrected command= line, then update', () => {
    expect(fix(supervisord)).toEqual([
      'ssh h: supervisorctl stop celeryw:celeryw',
      'supervisord program celeryw:celeryw: command: command=/srv/venv/bin/celery -A app worker -n main-v0.13.0@%%h -Q celery',
      'ssh h: supervisorctl update celeryw',
    ]);
  });

  it('a looping script: stop the loop first, then the worker, then fix the script', () => {
    expect(fix(script)).toEqual([
      'ssh h: kill -TERM 90',
      'ssh h: kill -TERM 100',
      '/srv/loop.sh: the celery line: /srv/venv/bin/celery -A app worker -n main-v0.13.0@%h -Q celery',
    ]);
  });

  it('Kubernetes: printed kubectl commands only, and the command for the pod spec', () => {
    expect(fix(pod)).toEqual([
      'the pod spec of worker-7d9f8c6b5d-x2k4p: command: /srv/venv/bin/celery -A app worker -n main-v0.13.0@%h -Q celery',
      'here: kubectl rollout restart deployment/worker',
      'here: kubectl delete pod worker-7d9f8c6b5d-x2k4p',
    ]);
  });

  it('a supervisor that does not restart it: the plain fix guide', () => {
    expect(fix({ ...supervisord, restart: 'false' })).toEqual([
      'ssh h: kill -TERM 100',
      'ssh h: cd /srv/app && /srv/venv/bin/celery -A app worker -n main-v0.13.0@%h -Q celery',
    ]);
  });
});

describe('kill, by supervisor', () => {
  it('stops a systemd worker through systemctl, never through the broker, and says why', () => {
    const a = plan(systemd);
    expect(a.method).toBe('systemctl-stop, ssh-kill-term, ssh-kill-kill');
    expect(a.commands[0]).toBe('ssh h systemctl stop celery-main.service');
    expect(a.detail).toBe('supervised by systemd unit celery-main.service (Restart=always): stopped through it, since a plain kill would be undone');
  });

  it('stops a supervisord worker through supervisorctl', () => {
    expect(plan(supervisord).commands[0]).toBe('ssh h supervisorctl stop celeryw:celeryw');
  });

  it('stops a looping script before its worker', () => {
    const a = plan(script);
    expect(a.commands.slice(0, 2)).toEqual(['ssh h kill -TERM 90', "celery -b redis://b:6379/0 control shutdown -d main@h"]);
  });

  // A script file is not read: the plan stops it first, and does not claim that it loops.
  it('stops a parent script of unknown kind first, and says it may not loop', () => {
    const a = plan({ ...script, name: '/opt/deploy/run-once.sh', restart: null });
    expect(a.commands[0]).toBe('ssh h kill -TERM 90');
    expect(a.detail).toBe('supervised by the parent script /opt/deploy/run-once.sh (pid 90), which may start it again (whether it loops is not known): stopped first');
    expect(plan(script).detail).toMatch(/^supervised by the looping script \/srv\/loop\.sh \(pid 90\): stopped through it/);
  });

  it('plans nothing for a Kubernetes pod, and says what to do instead', () => {
    expect(plan(pod)).toMatchObject({ result: 'skipped', detail: expect.stringMatching(/its owner would start it again/) });
  });

  it('quotes a hostile program name in what it prints', () => {
    expect(plan({ ...supervisord, name: 'x;rm -rf /' }).commands[0]).toBe("ssh h 'supervisorctl stop '\\''x;rm -rf /'\\'''");
  });
});
