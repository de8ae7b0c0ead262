// Pure: what is wrong with a worker container, and what to run about it.
import { rewriteWorkerName, parseCeleryWorker } from '../worker/celery-argv.js';
import { parseWorkerName, versionedName } from '../worker/name.js';
import type { ContainerRecord } from '../types.js';
import { compareVersions } from '../worker/version.js';
import { remedies } from '../remedy/commands.js';
import { GRACE_S, type Step } from '../remedy/steps.js';

export interface ContainerFinding {
  kind: 'restart-loop' | 'oom' | 'exited' | 'stray' | 'label-mismatch';
  severity: 'warning' | 'critical';
  message: string;
  remediation: { where: string; command: string }[];
}

export { DEFAULT_DOCKER_ENDPOINT } from '../remedy/commands.js';

const LOOP_RESTARTS = 3;

export function containerLive(c: ContainerRecord): boolean {
  return c.status === 'running' || c.status === 'restarting' || c.status === 'paused';
}

export function isRestartLoop(c: ContainerRecord): boolean {
  return c.status === 'restarting' || (c.restart_count >= LOOP_RESTARTS && c.status === 'running');
}

const stopped = (c: ContainerRecord) => c.status === 'exited' || c.status === 'dead';

/** Restarting, exited non-zero, or OOM-killed: the containers whose log is worth showing. */
export function needsLogs(c: ContainerRecord): boolean {
  return isRestartLoop(c) || c.oom_killed || (stopped(c) && c.exit_code !== null && c.exit_code !== 0);
}

/** What an exit code says, as Docker reports it (128 + signal for a signal). */
export function explainExit(code: number | null, oomKilled: boolean): string {
  // A container running again has its exit code reset to 0, but keeps OOMKilled.
  if (oomKilled && (code === 137 || !code)) return 'exit 137, killed by SIGKILL: out of memory (OOMKilled)';
  if (oomKilled) return `${explainExit(code, false)}; a process in it ran out of memory (OOMKilled)`;
  if (code === null) return 'exit code unknown';
  if (code === 137) return 'exit 137, killed by SIGKILL';
  if (code === 143) return 'exit 143, stopped by SIGTERM';
  if (code === 1) return 'exit 1, application error';
  if (code === 126 || code === 127) return `exit ${code}, the command could not be run`;
  return `exit ${code}`;
}

export function containerFindings(c: ContainerRecord, serverVersion: string | null): ContainerFinding[] {
  const out: ContainerFinding[] = [];
  const [logs] = fix([{ kind: 'docker-logs', engine: c.engine, name: c.name, lines: 50 }]);
  const restarts = `${c.restart_count} restart${c.restart_count === 1 ? '' : 's'}`;
  if (isRestartLoop(c)) {
    // A running container's exit code was reset to 0 when it started again.
    const last = c.status === 'running' && c.exit_code === 0 && !c.oom_killed ? '' : `; last ${explainExit(c.exit_code, c.oom_killed)}`;
    const message = `container ${c.name} is crash-looping (${c.status}, ${restarts}${last})`;
    out.push({ kind: 'restart-loop', severity: 'critical', message, remediation: [logs] });
  } else if (c.oom_killed) {
    const message = `container ${c.name} was killed for running out of memory (OOMKilled, ${c.status})`;
    out.push({ kind: 'oom', severity: containerLive(c) ? 'critical' : 'warning', message, remediation: [logs] });
  } else if (stopped(c) && c.exit_code !== null && c.exit_code !== 0) {
    out.push({ kind: 'exited', severity: 'warning', message: `container ${c.name} ${c.status} (${explainExit(c.exit_code, false)})`, remediation: [logs] });
  }
  const parsed = parseWorkerName(c.worker_name);
  const version = parsed.version;
  const wrong = version === null ? 'has no version tag' : serverVersion !== null && compareVersions(version, serverVersion) !== 0 ? `is ${version}, not the server's ${serverVersion}` : null;
  if (wrong !== null) {
    const message = `worker container ${c.name} (${c.worker_name}) ${wrong}`;
    out.push({ kind: 'stray', severity: containerLive(c) ? 'critical' : 'warning', message, remediation: strayRemedies(c, serverVersion ?? version) });
  }
  if (c.image_version !== null && version !== null && compareVersions(c.image_version, version) !== 0) {
    const message = `image ${c.image} is labelled ${c.image_version} (org.opencontainers.image.version) but the worker name says ${version}`;
    out.push({ kind: 'label-mismatch', severity: 'warning', message, remediation: [] });
  }
  return out;
}

const fix = (steps: Step[]) => remedies(steps, { brokerDisplay: '' });

// Stop and remove it; for a compose service, the -n to put in the compose
// file and the command that recreates the service from it.
function strayRemedies(c: ContainerRecord, version: string | null): ContainerFinding['remediation'] {
  const steps: Step[] = [
    { kind: 'docker-stop', engine: c.engine, id: c.id, name: c.name, seconds: GRACE_S },
    { kind: 'docker-rm', engine: c.engine, id: c.id, name: c.name },
  ];
  if (c.compose && version !== null) {
    const args = parseCeleryWorker(c.command);
    const template = correctedTemplate(args?.hostname ?? null, c.worker_name, version);
    const files = (c.compose.config_files ?? '').split(',').filter((f) => f !== '');
    const place = files.length > 0 ? files.join(', ') : (c.compose.working_dir ?? `compose project ${c.compose.project}`);
    steps.push(
      { kind: 'compose-command', engine: c.engine, place, service: c.compose.service, argv: args ? rewriteWorkerName(args, template) : null, name: template },
      { kind: 'compose-up', engine: c.engine, project: c.compose.project, files, workingDir: c.compose.working_dir, service: c.compose.service },
    );
  }
  return fix(steps);
}

// The -n to use instead, keeping the host part of the old template. Without
// an `@` the whole template is Celery's host part and the name is `celery`.
function correctedTemplate(template: string | null, workerName: string, version: string): string {
  if (template === null) return versionedName(parseWorkerName(workerName), version);
  const at = template.indexOf('@');
  if (at < 0) return versionedName(parseWorkerName('celery'), version, template || '%h');
  return versionedName(parseWorkerName(template), version, template.slice(at + 1) || '%h');
}
