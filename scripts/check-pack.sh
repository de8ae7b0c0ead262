#!/usr/bin/env bash
# `npm pack`, then `npm install -g <tgz>` into a scratch prefix (production dependencies only),
# and run the installed binary. Proves the package works without dev dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tgz=$(npm pack --silent --pack-destination "$scratch" | tail -n 1)
npm install -g --silent --no-audit --no-fund --prefix "$scratch/prefix" "$scratch/$tgz"
bin="$scratch/prefix/bin/fleetdoc"
want=$(node -p 'require("./package.json").version')
got=$("$bin" --version)
[ "$got" = "$want" ] || { echo "check-pack: installed fleetdoc --version says $got, want $want" >&2; exit 1; }
"$bin" workers --help | grep -q 'Exit codes' || { echo 'check-pack: workers --help lacks the exit codes' >&2; exit 1; }
# A broker that is not there: exit 3 and one line, from the installed copy.
set +e
"$bin" workers -b redis://127.0.0.1:1/0 --no-docker 2>"$scratch/err"
code=$?
set -e
[ "$code" = 3 ] || { echo "check-pack: expected exit 3 for an unreachable broker, got $code" >&2; cat "$scratch/err" >&2; exit 1; }
[ -z "$(ls "$scratch/prefix/lib/node_modules/fleetdoc/node_modules" 2>/dev/null | grep -E '^(vitest|typescript|esbuild)$')" ] || { echo 'check-pack: dev dependencies were installed' >&2; exit 1; }
echo "check-pack: $tgz installs and runs (fleetdoc $got)"
