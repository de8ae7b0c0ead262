import { describe, expect, it } from 'vitest';
import { parseWorkerName, versionedName } from '../../src/model/worker/name.js';

describe('parseWorkerName', () => {
  it.each([
    ['main-v0.13.0@pandalab-01', 'main', '0.13.0', 'pandalab-01'],
    ['tundra-gpu-v0.12.0@tundra', 'tundra-gpu', '0.12.0', 'tundra'],
    ['celery@46b9a1cf718a', 'celery', null, '46b9a1cf718a'],
    ['next-v1.3.0rc1@h', 'next', '1.3.0rc1', 'h'],
    ['x;touch /tmp/p@h', 'x;touch /tmp/p', null, 'h'],
    ['main-V2.0.0@h', 'main', '2.0.0', 'h'],
    ['a-v1-v2@h', 'a-v1', '2', 'h'],
    ['api-version-v1.0@h', 'api-version', '1.0', 'h'],
    ['devops-v@h', 'devops-v', null, 'h'],
    ['d-vbanana@h', 'd-vbanana', null, 'h'],
    ['-v1.0@h', '', '1.0', 'h'],
    ['main-v0.13.0', 'main', '0.13.0', null],
    ['main', 'main', null, null],
    ['', '', null, null],
    ['@', '', null, ''],
    ['main-v1.0@h@x', 'main', '1.0', 'h@x'],
    ['main@host-v1.0', 'main', null, 'host-v1.0'],
    ['w1-v1.0@box.example.com', 'w1', '1.0', 'box.example.com'],
    ['my worker-v1.0@h', 'my worker', '1.0', 'h'],
    ["o'brien\"-v1.0@h", "o'brien\"", '1.0', 'h'],
    ['$(id)-v1.0@`id`', '$(id)', '1.0', '`id`'],
    ['line\nbreak-v1.0@h\nx', 'line\nbreak', '1.0', 'h\nx'],
    ['main-v1.0 ; rm -rf /@h', 'main', '1.0 ; rm -rf /', 'h'],
  ])('%j → basename %j, version %j, host %j', (name, basename, version, host) => {
    expect(parseWorkerName(name)).toEqual({ name, basename, version, host });
  });

  it('handles a huge name in linear time', () => {
    const name = '-v'.repeat(50_000) + 'x@' + 'h'.repeat(100_000);
    const r = parseWorkerName(name);
    expect(r.version).toBeNull();
    expect(r.host).toHaveLength(100_000);
  });

  it.each([null, undefined, 7, {}])('never throws on %j', (input) => {
    expect(() => parseWorkerName(input as unknown as string)).not.toThrow();
  });
});

describe('versionedName', () => {
  it.each([
    ['main@h', '0.13.0', undefined, 'main-v0.13.0@%h'],
    ['main-v0.12.0@h', '0.13.0', undefined, 'main-v0.13.0@%h'],
    ['tundra-gpu-v0.12.0@tundra', '0.13.0', 'tundra', 'tundra-gpu-v0.13.0@tundra'],
    ['celery@46b9a1cf718a', '0.13.0', undefined, 'celery-v0.13.0@%h'],
    ['main@h', 'v0.13.0', undefined, 'main-v0.13.0@%h'],
    ['@h', '1.0', '%n', 'celery-v1.0@%n'],
    ['next@h', '1.3.0rc1', undefined, 'next-v1.3.0rc1@%h'],
  ])('%s at %s → %s', (name, version, host, expected) => {
    const parsed = parseWorkerName(name);
    expect(host === undefined ? versionedName(parsed, version) : versionedName(parsed, version, host)).toBe(expected);
  });

  it('round-trips through parseWorkerName', () => {
    const out = versionedName(parseWorkerName('a-v1-v2@h'), '3.0.0', 'h');
    expect(parseWorkerName(out)).toMatchObject({ basename: 'a-v1', version: '3.0.0', host: 'h' });
  });
});
