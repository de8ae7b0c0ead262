// Help text shared by --help, the man page and the completions: notes, examples, exit codes.

export const EXIT_CODES_HELP = `
Exit codes:
  0   all good
  1   warnings only
  2   critical: an incompatible worker consumes a queue, or a worker is unresponsive
  3   unknown: the broker cannot be reached or read
  64  usage error
  70  internal error`;

/** The lines after "Examples:" in each command's --help; the man page shows the same ones. */
export const EXAMPLES: Record<string, string[]> = {
  workers: [
    'fleetdoc workers --server-version 0.13.0',
    "fleetdoc workers --json | jq -r '.workers[] | select(.compatible | not) | .name'",
    '*/5 * * * * fleetdoc workers --server-version-from /srv/app/app/version.py >/dev/null || page-oncall',
  ],
  queues: [
    'fleetdoc queues --min-workers gpu=2',
    `fleetdoc queues --json | jq -r '.queues[] | select(.healthy | not) | "\\(.name): \\(.problems | join("; "))"'`,
    '*/5 * * * * fleetdoc queues --queue gpu >/dev/null || page-oncall',
  ],
  stale: [
    'fleetdoc stale --ssh pandalab-01,tundra --listen 4',
    `fleetdoc stale --json | jq -r '.workers[] | select(.state != "healthy") | "\\(.name) \\(.state): \\(.reasons[0])"'`,
    'fleetdoc stale --registry http://coordinator:8000/api/admin/workers',
  ],
  kill: [
    'fleetdoc kill --unversioned                     # the plan only',
    "fleetdoc kill 'celery@*' --ssh pandalab-01 --yes",
    'fleetdoc kill pandalab-01:2465874 --ssh pandalab-01 --yes',
    "fleetdoc kill --stale --json --yes | jq '.actions[] | {worker, result}'",
  ],
  diagnose: [
    'fleetdoc diagnose --ssh pandalab-01,tundra --registry http://coordinator:8000/api/admin/workers',
    'fleetdoc diagnose --only worker-versions,queue-health -v',
    `fleetdoc diagnose --json | jq -r '.findings[] | select(.severity == "critical") | .message'`,
    '*/5 * * * * fleetdoc diagnose --server-version-from /srv/app/app/version.py >/dev/null || page-oncall',
  ],
  completion: [
    'fleetdoc completion bash > ~/.local/share/bash-completion/completions/fleetdoc',
    'fleetdoc completion zsh > ~/.zfunc/_fleetdoc    # with fpath+=(~/.zfunc) before compinit',
    'fleetdoc completion fish > ~/.config/fish/completions/fleetdoc.fish',
  ],
};

/** Prose shown before a command's examples, in --help and in the man page. */
export const NOTES: Record<string, string> = {
  kill: `A compatible worker that answers is stopped only when named exactly, never by a glob or selector.
Steps, most graceful first: remote-control shutdown through the broker; after --grace, kill -TERM
over SSH; then kill -KILL of the main process and its pool children (by pid); docker stop for
containers (docker rm with --rm). A stopped (T) process gets KILL at once. Each target is verified.`,
};

/** The text after a command's options in --help: notes, examples and (by default) the exit codes. */
export function helpAfter(name: string, exitCodes = EXIT_CODES_HELP): string {
  const notes = NOTES[name] ? `\n${NOTES[name]}\n` : '';
  const codes = exitCodes ? `\n${exitCodes}` : '';
  return `${notes}\nExamples:\n${EXAMPLES[name].map((l) => `  ${l}`).join('\n')}${codes}`;
}

/** The shells `fleetdoc completion` writes scripts for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

