#!/usr/bin/env node
// Keeps the layers honest: sources → gather → model → render, arrows pointing down only.
// Reads every import (static and dynamic) of src/ with the TypeScript scanner; exits 1 on a breach.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = resolve(process.argv[2] ?? join(root, 'src'));

// What each layer may import from src/. The top files (errors.ts, version.ts) are open to all.
const ALLOWED = {
  util: ['util'],
  model: ['model', 'util'],
  sources: ['sources', 'model', 'util'],
  gather: ['gather', 'sources', 'model', 'util'],
  actions: ['actions', 'sources', 'model', 'util', 'gather'],
  render: ['render', 'model', 'util'],
  cli: ['cli', 'gather', 'actions', 'sources', 'model', 'render', 'util'],
};
// Client libraries and I/O: only sources and actions talk to the world; the model stays pure.
const IO = /^(ioredis|dockerode|execa|ssh2|amqplib|prom-client|node:(fs|net|http|https|child_process|tls|dgram))(\/|$)/;
const IO_FREE = new Set(['model', 'render', 'util']);

const files = walk(src).filter((f) => f.endsWith('.ts'));
const problems = [];
const graph = new Map();
for (const file of files) {
  const layer = layerOf(file);
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const deps = [];
  for (const { fileName: spec } of importedFiles) {
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      deps.push(target);
      const to = layerOf(target);
      if (to && layer && !ALLOWED[layer].includes(to)) problems.push(`${rel(file)} (${layer}) imports ${rel(target)} (${to})`);
    } else if (layer && IO_FREE.has(layer) && IO.test(spec)) {
      problems.push(`${rel(file)} (${layer}) imports ${spec}: the ${layer} layer does no I/O`);
    }
  }
  graph.set(file, deps);
}
for (const cycle of cycles(graph)) problems.push(`import cycle: ${cycle.map(rel).join(' → ')}`);
if (problems.length) {
  console.error(`check-layers: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`check-layers: ${files.length} files, layers and imports in order`);

function layerOf(file) {
  const top = relative(src, file).split('/')[0];
  return top in ALLOWED ? top : null;
}

function rel(f) {
  return relative(root, f);
}

function walk(dir) {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

// Cycles among files (type-only imports included: they still tie the files together).
function cycles(g) {
  const out = [];
  const state = new Map();
  const stack = [];
  const visit = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const d of g.get(n) ?? []) {
      if (!g.has(d)) continue;
      if (state.get(d) === 1) out.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of g.keys()) if (!state.has(n)) visit(n);
  return out;
}
