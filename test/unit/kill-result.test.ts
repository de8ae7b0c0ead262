// A remote kill's outcome from its exit code and all of its stderr (bash, dash and procps wordings).
import { describe, expect, it } from 'vitest';
import { aliveResult, signalResult } from '../../src/actions/kill-result.js';

describe('signalResult', () => {
  it('takes a pid that is already gone as done', () => {
    expect(signalResult(0, '')).toBeNull();
    expect(signalResult(1, 'bash: line 1: kill: (4242) - No such process\n')).toBeNull();
    expect(signalResult(1, 'sh: 1: kill: No such process\nsh: 1: kill: No such process\n')).toBeNull();
  });

  it('reports a refused pid even when a harmless line comes last', () => {
    const mixed = 'bash: line 1: kill: (1) - Operation not permitted\nbash: line 1: kill: (4242) - No such process\n';
    expect(signalResult(1, mixed)).toBe('bash: line 1: kill: (1) - Operation not permitted');
    expect(signalResult(1, '')).toBe('kill exited 1');
    expect(signalResult(127, 'sh: 1: kill: not found')).toBe('sh: 1: kill: not found');
  });
});

describe('aliveResult', () => {
  it('is sure only from what kill -0 said', () => {
    expect(aliveResult(0, '')).toBe(true);
    expect(aliveResult(1, 'kill: (1) - Operation not permitted')).toBe(true);
    expect(aliveResult(1, 'kill: (4242) - No such process')).toBe(false);
    expect(aliveResult(1, '')).toBeNull();
    expect(aliveResult(null, 'ssh: connect to host h port 22: Operation not permitted')).toBeNull();
    expect(aliveResult(2, 'kill: usage')).toBeNull();
  });
});
