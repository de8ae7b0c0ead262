// A printed `ssh host command` line is parsed twice: by the local shell, then (after ssh joins its
// arguments with spaces) by the host's. Real sh does both here, with a stand-in for ssh.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { printable } from '../../src/model/remedy/commands.js';
import type { Step } from '../../src/model/remedy/steps.js';
import { FLAGS, goldenSources, NOW } from '../golden/fleet.js';
import { runCli } from '../helpers/cli.js';

// What the host's shell would run, as argv: the stand-in ssh drops its options and the target, joins
// the rest as ssh does, and has a second sh split it, with a printer as the command.
function remoteArgv(line: string): string[] {
  const script = `
ssh() { while [ "$1" != web-1 ]; do shift; done; shift; sh -c "argv() { for a; do printf '%s\\\\0' \\"\\$a\\"; done; }; argv $*"; }
${line}`;
  return execFileSync('sh', ['-c', script], { encoding: 'utf8' }).split('\0').slice(0, -1);
}

const o = { brokerDisplay: 'redis://h:6379/0' };

describe('printable ssh lines', () => {
  it.each([
    ['a backtick', 'main-v1@`echo PWNED`'],
    ['a space', 'main v1@h'],
    ['a quote', "it's-v1@h"],
    ['a dollar', 'x$(echo PWNED)@h'],
    ['a backslash and a glob', 'a\\b*@h'],
    ['a plain name', 'main-v1@h'],
  ])('reach the host as the same words, with %s', (_what, name) => {
    const steps: Step[] = [{ kind: 'supervisor-stop', target: 'web-1', argv: ['supervisorctl', 'stop', name], name }];
    const [line] = printable(steps, o);
    expect(line.startsWith('ssh ')).toBe(true);
    expect(remoteArgv(line)).toEqual(['supervisorctl', 'stop', name]);
  });

  it('stay readable when nothing needs quoting twice', () => {
    const steps: Step[] = [{ kind: 'signal', target: 'web-1', signal: 'TERM', pids: [4242, 4243] }];
    expect(printable(steps, o)).toEqual(['ssh web-1 kill -TERM 4242 4243']);
  });

  it('keep a command with && whole, from cd to the end', () => {
    const steps: Step[] = [{ kind: 'start', target: 'web-1', argv: ['celery', '-n', 'a b@h'], cwd: '/srv/my app' }];
    const [line] = printable(steps, o);
    expect(execFileSync('sh', ['-c', `ssh() { shift; printf '%s' "$*"; }; ${line}`], { encoding: 'utf8' })).toBe("cd '/srv/my app' && celery -n 'a b@h'");
  });
});

describe('the printed fleetdoc kill line', () => {
  it('keeps a worker name that reads as an option a name, and kill takes it as one', async () => {
    const [line] = printable([{ kind: 'fleetdoc-kill', names: ['--incompatible'] }], o);
    expect(line).toBe('fleetdoc kill --yes -- --incompatible');
    expect(printable([{ kind: 'fleetdoc-kill', names: ['main@h'] }], o)).toEqual(['fleetdoc kill main@h --yes']);
    // Without --yes, through the real CLI on the golden fleet: a name, not the selector.
    const res = await runCli([...FLAGS, 'kill', '--json', '--', '--incompatible'], { tty: false, env: {}, sources: goldenSources, now: () => NOW });
    const actions = (JSON.parse(res.stdout) as { actions: { worker: string | null; problem?: string | null }[] }).actions;
    expect(actions).toHaveLength(1);
    expect(JSON.stringify(actions[0])).toMatch(/no worker named --incompatible/);
  });
});
