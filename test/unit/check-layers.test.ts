// The layer check itself: a breach in a throwaway tree must fail it, the real tree must pass.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/check-layers.mjs', import.meta.url));
const run = (dir?: string) => spawnSync(process.execPath, [script, ...(dir ? [dir] : [])], { encoding: 'utf8' });

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fd-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('check-layers', () => {
  it('passes on the real tree', () => {
    const r = run();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    ['model imports render', { 'model/a.ts': "import { b } from '../render/b.js';", 'render/b.ts': 'export const b = 1;' }, /model\/a\.ts \(model\) imports .*render\/b\.ts \(render\)/],
    ['render imports a source', { 'render/a.ts': "import type { X } from '../sources/x.js';", 'sources/x.ts': 'export type X = 1;' }, /\(render\) imports .*\(sources\)/],
    ['model imports a client library', { 'model/a.ts': "const m = await import('ioredis');" }, /imports ioredis: the model layer does no I\/O/],
    ['a cycle', { 'cli/a.ts': "import './b.js';", 'cli/b.ts': "import './a.js';" }, /import cycle: .*a\.ts → .*b\.ts → .*a\.ts/],
  ])('fails when %s', (_what, files, message) => {
    const r = run(tree(files));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
  });
});
