import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeProgress } from '../../src/render/progress.js';

class Term extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) { super(); }
  _write(c: Buffer, _e: BufferEncoding, cb: () => void) { this.text += c.toString(); cb(); }
}
const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('progress spinner', () => {
  // Fake timers: a loaded machine must not delay the frames the test reads.
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });
  it('names what is pending on a terminal, and erases itself when done', async () => {
    const err = new Term(true);
    const p = makeProgress(err, true, true);
    const a = p.track('broker replies', later(350));
    void p.track('ssh (3 hosts)', later(150));
    await vi.advanceTimersByTimeAsync(250);
    expect(err.text).toMatch(/waiting for broker replies, ssh \(3 hosts\)/);
    expect(err.text.split('\r\x1b[K').pop()).toMatch(/waiting for broker replies$/);
    await vi.advanceTimersByTimeAsync(200);
    await a;
    expect(err.text.endsWith('\r\x1b[K')).toBe(true);
  });
  it('never shows when stderr is piped or for --json', async () => {
    for (const [tty, on] of [[false, true], [true, false]]) {
      const err = new Term(tty);
      const t = makeProgress(err, on, true).track('broker', later(250));
      await vi.advanceTimersByTimeAsync(300);
      await t;
      expect(err.text).toBe('');
    }
  });
  it('falls back to ASCII frames', async () => {
    const err = new Term(true);
    const t = makeProgress(err, true, false).track('docker', later(150));
    await vi.advanceTimersByTimeAsync(200);
    await t;
    expect(err.text).toMatch(/[-\\|/] waiting for docker/);
    expect(err.text).not.toMatch(/[⠋⠙⠹]/);
  });
});
