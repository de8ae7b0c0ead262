import { describe, expect, it } from 'vitest';
import { classify, inferServerVersion, isPreRelease } from '../../src/model/worker/classify.js';
import { parseWorkerName } from '../../src/model/worker/name.js';
import { fleetOf } from '../helpers/model.js';
import type { BrokerWorker } from '../../src/model/types.js';

const c = (name: string, serverVersion: string | null, compatible: string | null = null) =>
  classify(parseWorkerName(name), { serverVersion, compatible });

describe('classify', () => {
  it.each([
    ['main-v0.13.0@pandalab-01', '0.13.0', 'compatible', null, null],
    ['main@pandalab-01', '0.13.0', 'unversioned', null, 'no_version_tag'],
    ['celery@46b9a1cf718a', '0.13.0', 'unversioned', null, 'no_version_tag'],
    ['tundra-gpu-v0.12.0@tundra', '0.13.0', 'mismatched', 'behind', 'version_mismatch'],
    ['next-v0.14.0rc1@h', '0.13.0', 'mismatched', 'ahead', 'version_mismatch'],
    ['main-v0.13.0rc1@h', '0.13.0', 'mismatched', 'behind', 'version_mismatch'],
    ['main-v0.13.0.post1@h', '0.13.0', 'mismatched', 'ahead', 'version_mismatch'],
    ['main-v0.13@h', '0.13.0', 'compatible', null, null],
  ])('%s against %s is %s', (name, server, status, drift, reason) => {
    const r = c(name, server);
    expect(r).toMatchObject({ status, drift, reason, compatible: status === 'compatible' });
  });

  it('treats an unparseable version as mismatched and says why', () => {
    const r = c('main-v1!2.0@h', '0.13.0');
    expect(r).toMatchObject({ status: 'mismatched', compatible: false, reason: 'version_mismatch' });
    expect(r.reason_detail).toMatch(/cannot be parsed/);
  });

  it('applies a semver range to PEP 440 versions', () => {
    expect(c('a-v0.13.2@h', '0.13.0', '~0.13.0').compatible).toBe(true);
    expect(c('a-v0.14.0rc1@h', '0.13.0', '>=0.13.0 <0.15.0').compatible).toBe(true);
    expect(c('a-v0.12.9@h', '0.13.0', '^0.13.0')).toMatchObject({ compatible: false, drift: 'behind' });
    expect(c('celery@h', '0.13.0', '*').compatible).toBe(false);
  });

  it('with no server version, nothing versioned is compatible', () => {
    expect(c('main-v0.13.0@h', null)).toMatchObject({ status: 'mismatched', compatible: false });
  });

});

describe('severity', () => {
  const bw = (name: string, over: Partial<BrokerWorker> = {}): BrokerWorker => ({
    name, responsive: true, pid: 1, concurrency: 1, uptime_s: 1, queues: ['celery'], children: [], broker: null, in_roster: true, ...over,
  });
  const sev = (w: BrokerWorker) => fleetOf({ workers: [w] })[0].verdict.severity;

  it('an incompatible worker that consumes a queue is critical; one that consumes nothing is a warning', () => {
    expect(sev(bw('main@h'))).toBe('critical');
    expect(sev(bw('main@h', { queues: [] }))).toBe('warning');
  });
  it('an unresponsive worker is critical even when compatible', () => {
    expect(sev(bw('main-v0.13.0@h', { responsive: false, queues: null }))).toBe('critical');
  });
  it('a compatible, responsive worker is ok', () => {
    expect(sev(bw('main-v0.13.0@h'))).toBe('ok');
  });
});

describe('inferServerVersion', () => {
  const w = (name: string, responsive = true) => ({ name, responsive });
  it.each([
    ['no versions at all', [w('celery@h'), w('main@h')], null, /no worker name carries a version/],
    ['one release', [w('a-v0.13.0@h'), w('b-v0.13.0@h')], '0.13.0', /the only release seen/],
    ['a nightly among releases', [w('a-v0.13.0@h'), w('b-v0.13.0@h'), w('n-v0.14.0rc1@h')], '0.13.0', /only release seen.*pre-releases not counted: 0\.14\.0rc1/],
    ['a dev build among releases', [w('a-v0.13.0@h'), w('d-v0.14.0.dev3@h')], '0.13.0', /pre-releases not counted: 0\.14\.0\.dev3/],
    ['a post-release is a release', [w('a-v0.13.0@h'), w('p-v0.13.0.post1@h'), w('q-v0.13.0.post1@h')], '0.13.0.post1', /the release most responsive workers run \(2 of 3; also seen: 0\.13\.0\)/],
    ['only pre-releases', [w('n-v0.14.0rc1@h'), w('m-v0.14.0rc2@h'), w('o-v0.14.0rc2@h')], '0.14.0rc2', /pre-release most responsive workers run/],
    ['the majority of responsive workers wins', [w('a-v0.12.0@h'), w('b-v0.12.0@h'), w('c-v0.13.0@h'), w('d-v0.13.0@h', false), w('e-v0.13.0@h', false)], '0.12.0', /2 of 3; also seen: 0\.13\.0/],
    ['a tie goes to the newest', [w('a-v0.12.0@h'), w('c-v0.13.0@h')], '0.13.0', /the newest of the releases run by the most responsive workers \(1 of 2/],
    ['nobody answers: count every worker', [w('a-v0.12.0@h', false), w('b-v0.13.0@h', false), w('c-v0.13.0@h', false)], '0.13.0', /most workers \(none answered\) run \(2 of 3/],
    ['unparseable versions are ignored', [w('a-v1!2.0@h'), w('b-v0.13.0@h')], '0.13.0', /only release/],
  ])('%s', (_what, workers, version, why) => {
    const r = inferServerVersion(workers);
    expect(r.version).toBe(version);
    expect(r.why).toMatch(why);
  });

  it.each([['0.13.0', false], ['0.14.0rc1', true], ['1.0.0a1', true], ['0.14.0.dev2', true], ['0.13.0.post1', false], ['1.0.0-beta.2', true], ['0.13.0+local.1', false], ['junk', false]])(
    'isPreRelease(%s) is %s', (v, pre) => expect(isPreRelease(v as string)).toBe(pre),
  );
});
