// Bundles the compiled CLI (dist/) into one CommonJS file, dist/bundle/fleetdoc.cjs: one file to
// read at start-up instead of hundreds, and one V8 code cache for bin/fleetdoc to keep (Node 20
// has no module.enableCompileCache, but vm.Script takes cached data for a single script).
// Lazy imports stay lazy: esbuild runs a module's top level only when it is first imported.
// execa, ssh2, amqplib and prom-client stay external, loaded with import() only by the commands (or
// broker kinds) that use them.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';

rmSync('dist/bundle', { recursive: true, force: true });
const out = await build({
  write: false,
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/bundle/fleetdoc.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['execa', 'ssh2', 'cpu-features', 'amqplib', 'prom-client'],
  // Less source for V8 to scan on a cold start; names stay readable in --debug stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  // bin/fleetdoc reads the bundle as latin1, V8's cheapest string to make: it must be ASCII.
  charset: 'ascii',
  logLevel: 'warning',
});
// V8 drops import()'s loader from functions it restores from a code cache, so bin/fleetdoc hands
// the bundle its own import() (__fleetdocImport); when plain require() loads the bundle, the
// built-in one is used.
let code = out.outputFiles[0].text;
const imports = code.match(/\bimport\((?="[^"]+"\))/g) ?? [];
if (imports.length !== (code.match(/\bimport\(/g) ?? []).length) throw new Error('build: an import() with a computed specifier');
code = code.replace(/\bimport\((?="[^"]+"\))/g, '__fleetdocImport(');
// ioredis loads tls (and with it most of crypto) when it loads; only rediss:// needs it, through
// property reads such as tls_1.connect, so a proxy loads it on first use.
if ((code.match(/require\("tls"\)/g) ?? []).length !== 2) throw new Error('build: ioredis requires tls in new places; check the lazy tls');
code = code.replaceAll('require("tls")', '__fleetdocLazy("tls")');
// commander loads child_process for executable subcommands (childProcess.spawn), which fleetdoc has none of.
if (code.split('childProcess=require("node:child_process")').length !== 2) throw new Error('build: commander changed how it loads child_process');
code = code.replace('childProcess=require("node:child_process")', 'childProcess=__fleetdocLazy("node:child_process")');
// ioredis adds ~480 command methods to one class prototype at load; while the prototype is in V8's
// fast mode each addition copies its descriptor array, ~40 ms and 4 MB of garbage here. Deleting a
// property first puts it in dictionary mode, where each addition is a hash insert (~2 ms).
const LOOP = 'commands.push("sentinel");commands.forEach(function(commandName){Commander.prototype[';
if (code.split(LOOP).length !== 2) throw new Error("build: ioredis' Commander prototype loop changed; check the dictionary-mode patch");
code = code.replace(LOOP, LOOP.replace('commands.forEach', '__fleetdocDictionaryMode(Commander.prototype);commands.forEach'));
// debug (under ioredis) tries require('supports-color') in a try block; it is not installed, and a
// failed lookup walks every node_modules folder up to / on each start.
if (code.split('require("supports-color")').length !== 2) throw new Error('build: debug changed how it loads supports-color');
code = code.replace('require("supports-color")', 'null');
// ioredis' Redis class keeps a link to its Cluster class (Redis.Cluster), and with it loads the
// cluster code and dns: ~3 ms that fleetdoc, which never opens a cluster, pays on every start.
const CLUSTER = 'cluster_1=require_cluster()';
const CLUSTER_LINK = 'Redis2.Cluster=cluster_1.default;';
if (code.split(CLUSTER).length !== 2 || code.split(CLUSTER_LINK).length !== 2 || (code.match(/\bcluster_1\b/g) ?? []).length !== 2) {
  throw new Error("build: ioredis' link to its Cluster class changed; check the lazy cluster");
}
code = code.replace(CLUSTER, 'cluster_1=null').replace(CLUSTER_LINK, 'Object.defineProperty(Redis2,"Cluster",{configurable:!0,get:()=>require_cluster().default});');
// redis-errors loads assert (~1.5 ms) for two checks in ParserError, which is built only on a protocol error.
if (code.split('var assert=require("assert")').length !== 3) throw new Error('build: redis-errors changed how it loads assert');
code = code.replaceAll('var assert=require("assert")', 'var assert=__fleetdocLazyFunction("assert")');
// ioredis loads crypto (~3 ms) only to hash Lua scripts (crypto_1.createHash), which fleetdoc's
// runs seldom need; fleetdoc's own names use util/uuid.ts.
if (code.split('crypto_1=require("crypto")').length !== 2) throw new Error('build: ioredis changed how it loads crypto');
code = code.replace('crypto_1=require("crypto")', 'crypto_1=__fleetdocLazy("crypto")');
const banner = "const __fleetdocImport = typeof __fleetdocImportHook === 'function' ? __fleetdocImportHook : (s) => import(s);\n"
  + 'const __fleetdocLazy = (id) => { let m; return new Proxy({}, { get: (_, k) => (m ??= require(id))[k] }); };\n'
  + 'const __fleetdocLazyFunction = (id) => { let m; return new Proxy(function () {}, { get: (_, k) => (m ??= require(id))[k], apply: (_, t, a) => (m ??= require(id)).apply(t, a) }); };\n'
  + 'const __fleetdocDictionaryMode = (o) => { o.__fleetdoc0 = 0; o.__fleetdoc1 = 0; delete o.__fleetdoc0; delete o.__fleetdoc1; };\n';
if (/[^\x00-\x7f]/.test(code)) throw new Error('build: the bundle is not ASCII');
mkdirSync('dist/bundle', { recursive: true });
writeFileSync('dist/bundle/fleetdoc.cjs', code.replace(/^("use strict";\n?)?/, (m) => m + banner));
writeFileSync('dist/bundle/package.json', '{ "type": "commonjs" }\n');
