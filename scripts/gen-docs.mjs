// Writes the shell completions and the man page from the built commander tree, so they can never
// describe flags the CLI does not have. `--check` writes nothing and exits 1 when a file is stale.
// Run through `npm run docs` (which builds first); the files are committed and shipped in the package.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let docs;
try {
  docs = await import('../dist/cli/docs/docs.js');
} catch (err) {
  console.error(`gen-docs: cannot load dist/cli/docs/docs.js (${err.message}); run npm run build first`);
  process.exit(1);
}

const check = process.argv.includes('--check');
const files = docs.generatedDocs(docs.docsProgram());
const stale = [];
for (const [path, text] of Object.entries(files)) {
  const file = join(root, path);
  let current = null;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing: stale in --check mode, written otherwise
  }
  if (current === text) continue;
  if (check) {
    stale.push(path);
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`gen-docs: wrote ${path}`);
  }
}
if (stale.length) {
  console.error(`gen-docs: out of date: ${stale.join(', ')}; run npm run docs and commit the result`);
  process.exit(1);
}
