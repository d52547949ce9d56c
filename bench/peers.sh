#!/usr/bin/env bash
# Compares `infercost bench` with wrk, ab and hey against one nginx on loopback.
#
#   bench/peers.sh                 throughput at 64 connections (median req/s of each tool and its
#                                  ratio to wrk), p50 latency at 1 connection (infercost vs wrk),
#                                  and infercost's peak RSS for a 10 s and a 60 s run
#   bench/peers.sh --open-loop     open-loop accuracy of infercost at 5,000 req/s: achieved rate,
#                                  schedule lag, drops
#
# --chrt runs infercost's open-loop runs under `chrt -f 10` (root or CAP_SYS_NICE): on a shared,
# oversubscribed machine it separates the engine's own lag from time spent waiting for a CPU.
#
# Options: --rounds N (default 5; runs are interleaved round by round so that drifts in machine
# load hit every tool alike, and medians are reported), --seconds S (default 4, per run),
# --no-rss, --binary PATH.
#
# nginx comes from Debian (deploy/install-deps.sh --all); the script starts its own instance with
# a private prefix and config on a free loopback port, one worker process, answering a 3-byte
# body, and stops it on exit. Every tool is asked for keep-alive. wrk runs with one thread
# (WRK_THREADS to change) like infercost's default single engine thread; with nginx on the other
# core that is also wrk's fastest setting on a 2-core machine. hey spreads over every core (Go),
# and so does infercost by default for a closed loop; infercost-t1 is infercost with --threads 1.
# libcurl-bare (bench/loadgen/curl_baseline.cc, built by the test preset) is a bare libcurl multi
# loop that records nothing: the ceiling libcurl itself sets for the engine.
set -euo pipefail

cd "$(dirname "$0")/.."
rounds=5
seconds=4
mode=closed
rss=1
binary=""
rt=()
while [ $# -gt 0 ]; do
  case "$1" in
    --open-loop) mode=open ;;
    --rounds) rounds=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --no-rss) rss=0 ;;
    --chrt) rt=(chrt -f 10) ;;
    --binary) binary=$2; shift ;;
    *) echo "usage: $0 [--open-loop] [--chrt] [--rounds N] [--seconds S] [--no-rss] [--binary PATH]" >&2
       exit 2 ;;
  esac
  shift
done
. bench/common.sh
find_binary peers
for tool in nginx wrk ab hey python3; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
    echo "peers: $tool is missing; run deploy/install-deps.sh --all" >&2
    exit 2
  }
done
baseline="$(dirname "$binary")/../bench/loadgen/loadgen_curl_baseline"
[ -x "$baseline" ] || baseline=""

work=$(mktemp -d /tmp/infercost-peers.XXXXXX)
cleanup() {
  nginx_stop
  rm -rf "$work"
}
trap cleanup EXIT
nginx_start "$work" || { echo "peers: nginx did not start" >&2; exit 1; }
url=$nginx_url

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Peak RSS (KiB) of a command, from the kernel's accounting of the finished child.
peak_rss_kib() {
  python3 - "$@" <<'EOF'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
}
# wrk prints latencies as 16.00us, 1.20ms or 1.05s.
to_us() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); print v } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v * 1000 } else { sub(/s$/, "", v); print v * 1e6 } }'; }

wrk_threads=${WRK_THREADS:-1}
echo "infercost peers: nginx $(nginx_version) on $url, $(nproc) cores, $rounds rounds x ${seconds}s per run"
echo "binary: $binary ($(binary_version))"
# The machine may be shared: its load says how much the figures can be trusted.
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
trap 'echo "load average at end: $(cut -d" " -f1-3 /proc/loadavg)"; cleanup' EXIT

if [ "$mode" = open ]; then
  rate=5000
  echo
  echo "== open loop at $rate req/s, constant arrivals, ${seconds}s per run =="
  echo "command: ${rt[*]:+${rt[*]} }$binary bench --url $url --rate $rate --duration ${seconds}s --csv FILE"
  printf '%-6s %12s %10s %14s %14s %9s %8s\n' round requests achieved_rps lag_p50_ms lag_p99_ms dropped error
  : >"$work/open.txt"
  for r in $(seq 1 "$rounds"); do
    out=$("${rt[@]}" "$binary" bench --url "$url" --rate "$rate" --duration "${seconds}s" --csv "$work/open.csv")
    total=$(sed -n 's/^Total Requests: //p' <<<"$out")
    achieved=$(sed -n 's/^Achieved Rate: \([0-9.]*\).*/\1/p' <<<"$out")
    lag50=$(sed -n 's/^Schedule Lag: p50 \([0-9.]*\) ms.*/\1/p' <<<"$out")
    lag99=$(sed -n 's/^Schedule Lag: .*p99 \([0-9.]*\) ms.*/\1/p' <<<"$out")
    dropped=$(sed -n 's/^Dropped: \([0-9]*\).*/\1/p' <<<"$out")
    err=$(awk -v a="$achieved" -v r="$rate" 'BEGIN { printf "%.2f%%", (a - r) / r * 100 }')
    printf '%-6s %12s %10s %14s %14s %9s %8s\n' "$r" "$total" "$achieved" "$lag50" "$lag99" "$dropped" "$err"
    echo "$achieved $lag99" >>"$work/open.txt"
  done
  med_rate=$(awk '{ print $1 }' "$work/open.txt" | median)
  med_lag=$(awk '{ print $2 }' "$work/open.txt" | median)
  echo
  awk -v a="$med_rate" -v r="$rate" -v l="$med_lag" 'BEGIN {
    e = (a - r) / r * 100; if (e < 0) e = -e
    printf "median achieved rate %.1f req/s (%.2f%% from %d; target within 1%%: %s)\n", a, e, r, (e <= 1 ? "met" : "MISSED")
    printf "median p99 schedule lag %.3f ms (target under 1 ms: %s)\n", l, (l < 1 ? "met" : "MISSED") }'
  exit 0
fi

echo
echo "== throughput at 64 connections (req/s) =="
echo "  wrk -t$wrk_threads -c64 -d${seconds}s $url"
echo "  ab -k -c 64 -t $seconds -n 100000000 $url"
echo "  hey -c 64 -z ${seconds}s $url"
echo "  $binary bench --url $url --concurrency 64 --duration ${seconds}s --csv FILE [--threads 1]"
tools="wrk ab hey infercost infercost-t1"
[ -n "$baseline" ] && tools="$tools libcurl-bare" && echo "  $baseline $url 64 $seconds"
for tool in $tools; do : >"$work/$tool.rps"; done
for r in $(seq 1 "$rounds"); do
  v=$(wrk -t"$wrk_threads" -c64 -d"${seconds}s" "$url" | awk '/^Requests\/sec:/ { print $2 }')
  echo "$v" >>"$work/wrk.rps"; line="round $r: wrk $v"
  v=$(ab -k -q -c 64 -t "$seconds" -n 100000000 "$url" 2>/dev/null | awk '/^Requests per second:/ { print $4 }')
  echo "$v" >>"$work/ab.rps"; line="$line  ab $v"
  v=$(hey -c 64 -z "${seconds}s" "$url" | awk '/Requests\/sec:/ { print $2 }')
  echo "$v" >>"$work/hey.rps"; line="$line  hey $v"
  v=$("$binary" bench --url "$url" --concurrency 64 --duration "${seconds}s" --csv "$work/c64.csv" |
      sed -n 's/^Average IPS: \([0-9.]*\).*/\1/p')
  echo "$v" >>"$work/infercost.rps"; line="$line  infercost $v"
  v=$("$binary" bench --url "$url" --concurrency 64 --duration "${seconds}s" --csv "$work/c64.csv" \
      --threads 1 | sed -n 's/^Average IPS: \([0-9.]*\).*/\1/p')
  echo "$v" >>"$work/infercost-t1.rps"; line="$line  infercost-t1 $v"
  if [ -n "$baseline" ]; then
    v=$("$baseline" "$url" 64 "$seconds" | awk '/^Requests\/sec:/ { print $2 }')
    echo "$v" >>"$work/libcurl-bare.rps"; line="$line  libcurl-bare $v"
  fi
  echo "$line"
done
wrk_median=$(median <"$work/wrk.rps")
echo
printf '%-13s %14s %10s\n' tool median_rps vs_wrk
for tool in $tools; do
  m=$(median <"$work/$tool.rps")
  printf '%-13s %14.0f %9.2fx\n' "$tool" "$m" "$(awk -v a="$m" -v b="$wrk_median" 'BEGIN { print a / b }')"
done
inf=$(median <"$work/infercost.rps"); hey_m=$(median <"$work/hey.rps")
awk -v i="$inf" -v w="$wrk_median" -v h="$hey_m" 'BEGIN {
  printf "target >= 0.35x wrk: %s (%.2fx); ahead of hey: %s\n", (i >= 0.35 * w ? "met" : "MISSED"), i / w, (i > h ? "met" : "MISSED") }'

echo
echo "== p50 latency at 1 connection (microseconds) =="
echo "  wrk -t1 -c1 -d${seconds}s --latency $url"
echo "  $binary bench --url $url --concurrency 1 --duration ${seconds}s"
: >"$work/wrk.p50"; : >"$work/inf.p50"
for r in $(seq 1 "$rounds"); do
  w=$(wrk -t1 -c1 -d"${seconds}s" --latency "$url" | awk '$1 == "50%" { print $2 }' | to_us)
  i=$("$binary" bench --url "$url" --concurrency 1 --duration "${seconds}s" |
      sed -n 's/^P50 Latency: \([0-9.]*\) ms/\1/p' | awk '{ print $1 * 1000 }')
  echo "$w" >>"$work/wrk.p50"; echo "$i" >>"$work/inf.p50"
  echo "round $r: wrk ${w}us  infercost ${i}us"
done
w=$(median <"$work/wrk.p50"); i=$(median <"$work/inf.p50")
awk -v w="$w" -v i="$i" 'BEGIN {
  d = i - w; printf "median p50: wrk %.1f us, infercost %.1f us, difference %+.1f us (target within 10 us: %s)\n", w, i, d, ((d < 0 ? -d : d) <= 10 ? "met" : "MISSED") }'

if [ "$rss" = 1 ]; then
  echo
  echo "== peak RSS of infercost bench at 64 connections (with --csv /dev/null) =="
  for d in 10 60; do
    kib=$(peak_rss_kib "$binary" bench --url "$url" --concurrency 64 --duration "${d}s" --csv /dev/null)
    awk -v k="$kib" -v d="$d" 'BEGIN { printf "%2ds run: %.1f MiB (target under 32 MiB: %s)\n", d, k / 1024, (k < 32 * 1024 ? "met" : "MISSED") }'
  done
fi
