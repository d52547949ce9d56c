#!/usr/bin/env bash
# A soak of `infercost serve` against the emulator with every fault on. Not part of the suite.
#
#   bench/soak.sh [--minutes N] [--slow-connections C] [--binary PATH] [--keep]
#
# Two `infercost emulate` processes and one `infercost serve`, all on free 127.0.0.1 ports (no
# other traffic). Emulator A serves six targets: errors (30 % answered 500), resets (30 % TCP
# resets), hangs (10 % never answered: infercost's 2 s timeout), slow (30 % of bodies trickled at
# 64 B/s), mixed (5 % of each fault, Poisson arrivals) and steady (no fault, 50 req/s). Emulator
# B serves `flaky`, which disappears and returns every minute: infercost makes it idle by a
# reload, its emulator is SIGKILLed, infercost loads it again against the closed port (refused),
# and the emulator comes back on the same port. First, every HTTP worker of serve goes through a
# scrape and a request header that times out (1,100 workers, a tenth more of each): a worker's
# first run of each path touches more of its stack and buffer (about 27 + 4 KiB), part of the
# steady state that the RSS check then compares against.
# Meanwhile (for N minutes, default 10):
#   - a reload by SIGHUP every 10 s (each changes the `errors` target, so it is drained and
#     restarted),
#   - a /metrics scrape every second, timed,
#   - C connections (default 20) held open on serve's port, each trickling a request header one
#     byte every 5 s,
#   - serve's RSS and open descriptors sampled every 5 s.
# At the end every target is made idle, and each one's requests are counted three ways: the
# emulator's counters (GET /_emulator/targets/NAME, summed over flaky's lives), the sum of
# infercost_requests_total, and the rows of its CSV (flushed when serve exits). It prints a
# figures table and PASS/FAIL per check: every request counted exactly once; RSS and descriptors
# flat after warm-up (the larger of 30 s and a fifth of the run: the last third's mean within
# 10 % + 4 MiB of the first third's, descriptors within 10); the schedule kept (steady's p99
# schedule lag at most 100 ms, nothing dropped); no scrape over 1 s; reloads successful.
# Exit 0 when every check passes, 1 otherwise, 2 for bad usage. --keep keeps the work directory
# (logs, configs, CSVs, samples.tsv: the RSS and descriptor samples).
set -euo pipefail

cd "$(dirname "$0")/.."
minutes=10
slow_connections=20
binary=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift ;;
    --slow-connections) slow_connections=$2; shift ;;
    --binary) binary=$2; shift ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--minutes N] [--slow-connections C] [--binary PATH] [--keep]" >&2
       exit 2 ;;
  esac
  shift
done
case "$minutes" in
  ''|*[!0-9.]*) echo "soak: --minutes must be a positive number, not '$minutes'" >&2; exit 2 ;;
esac
. bench/common.sh
find_binary soak
command -v python3 >/dev/null 2>&1 || { echo "soak: python3 is missing; run deploy/install-deps.sh" >&2; exit 2; }

work=$(mktemp -d /tmp/infercost-soak.XXXXXX)
cleanup() { if [ "$keep" = 1 ]; then echo "soak: kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
echo "soak: $binary ($(binary_version)), $minutes min; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/soak.py --binary "$binary" --work "$work" --minutes "$minutes" \
  --slow-connections "$slow_connections"
