import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makeProgress } from '../../src/render/progress.js';

class Term extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) { super(); }
  _write(c: Buffer, _e: BufferEncoding, cb: () => void) { this.text += c.toString(); cb(); }
}
const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('progress spinner', () => {
  it('names what is pending on a terminal, and erases itself when done', async () => {
    const err = new Term(true);
    const p = makeProgress(err, true, true);
    const a = p.track('broker replies', later(350));
    void p.track('ssh (3 hosts)', later(150));
    await later(250);
    expect(err.text).toMatch(/waiting for broker replies, ssh \(3 hosts\)/);
    expect(err.text.split('\r\x1b[K').pop()).toMatch(/waiting for broker replies$/);
    await a;
    expect(err.text.endsWith('\r\x1b[K')).toBe(true);
  });
  it('never shows when stderr is piped or for --json', async () => {
    for (const [tty, on] of [[false, true], [true, false]]) {
      const err = new Term(tty);
      await makeProgress(err, on, true).track('broker', later(250));
      expect(err.text).toBe('');
    }
  });
  it('falls back to ASCII frames', async () => {
    const err = new Term(true);
    await makeProgress(err, true, false).track('docker', later(150));
    expect(err.text).toMatch(/[-\\|/] waiting for docker/);
    expect(err.text).not.toMatch(/[⠋⠙⠹]/);
  });
});
