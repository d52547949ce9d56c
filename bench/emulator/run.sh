#!/bin/sh
# Throughput of the emulator's HTTP path on loopback: a zero-delay profile driven by wrk.
#   bench/emulator/run.sh [INFERCOST_BINARY] [DURATION] [CONNECTIONS]
# Defaults: build/release/exporter/infercost (else build/test/...), 10s, 64 connections.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=${1:-}
if [ -z "$binary" ]; then
  for candidate in "$root/build/release/exporter/infercost" "$root/build/test/exporter/infercost"; do
    if [ -x "$candidate" ]; then binary=$candidate; break; fi
  done
fi
[ -n "$binary" ] && [ -x "$binary" ] || { echo "run.sh: build infercost first" >&2; exit 2; }
duration=${2:-10s}
connections=${3:-64}
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (deploy/install-deps.sh)" >&2; exit 2; }

out=$(mktemp)
"$binary" emulate --listen 127.0.0.1:0 --profiles "$here/zero-delay.yaml" >"$out" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$out"' EXIT
url=
for _ in $(seq 50); do
  url=$(sed -n 's/.*POST \(http:[^ ]*\/zero\/predict\).*/\1/p' "$out")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$out" >&2; exit 1; }
echo "wrk -t2 -c$connections -d$duration -s $here/post.lua $url"
wrk -t2 -c"$connections" -d"$duration" -s "$here/post.lua" "$url"
