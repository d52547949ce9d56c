#!/usr/bin/env bash
# How `infercost serve` scales with the number of targets: service CPU per 1,000 requests at the
# same total request rate, `/metrics` scrape time, the engine's schedule lag while scraping, and
# memory per target. Not part of the test suite.
#
#   bench/serve_scrape.sh [--targets 1,10,100,1000] [--total-rate R] [--phase-seconds S]
#                         [--warmup W] [--rounds K] [--scrape-every-ms M] [--scrape-seconds T]
#                         [--metrics SETTINGS] [--binary PATH]
#
# One Debian nginx on a free loopback port answers every target (bench/common.sh). For each N in
# --targets, a generated config gives N open-loop targets of R/N requests per second each (R =
# --total-rate, default 2,000), so that the engine is offered the same total load whatever N,
# with max_in_flight 2 (at most two connections per target) and prices cycling through the
# catalog's instance types and Lambda; window 60s, one engine thread (the defaults). After a
# warm-up of W seconds (default 65: the 60 s window full, so that what is measured is the steady
# state; earlier, each target's window holds fewer slots and costs less), phases 1 to 3 of S
# seconds (default 15) each per service (phase 3 twice), then 4 and 5 together for T seconds
# (default 30):
#
#   1. load: service CPU (utime + stime from /proc/PID/stat) per 1,000 requests its nginx
#      served, with no scrapes. With each size's service runs a reference, started with it: a
#      second service with 10 targets at the same total rate on a second nginx. The phase is
#      taken in turns: three of S/3 seconds for each service, the other one stopped (SIGSTOP)
#      meanwhile, each turn 3.5 s after the service resumed (what fell due while it was stopped
#      is sent, or dropped at the in-flight cap, and the load settles). "vs 10 targets, in turns"
#      is the ratio of the two services' CPU per 1,000 requests over their turns: both measured
#      alone on the machine, over the same minutes. Run minutes apart, one after the other, the
#      shared machine's speed drifts by more than the effect measured; run at once, each would
#      slow the other (the bigger one, more). The 10-target row's ratio is the noise that is left
#      (identical services: 1.00x).
#   2. Prometheus: the same, with a scrape every 5 s of the turns' time (the first halfway
#      through the first 5 s) as a Prometheus would make them. Then the reference is stopped.
#   3. lag: the p99 schedule lag (from the summed infercost_schedule_lag_seconds buckets) over S
#      seconds with no scrapes but the two readings, then over S seconds with a scrape every 5 s:
#      it must not move. (Not over the turns: each turn's readings are scrapes.)
#   4. scrape timing: one curl on a keep-alive connection scrapes /metrics every M ms (default
#      250), timing each from the request to the last byte (curl's time_total); p50, p99, max,
#      and the p99 to the first byte (time_starttransfer: the wait for the text, not its transfer).
#   5. the peer: nginx (the targets' server, still under the load) sends the same bytes as a
#      static file to the same curl loop; p50, p99. A scrape cannot beat what the machine takes
#      to move that many bytes over loopback at that moment: compare p99 to p99.
#
# --metrics gives the config's `metrics:` setting, e.g. 'latency_buckets: coarse, quantiles: off'
# (default: none, i.e. standard buckets and quantiles on).
#
# Then the RSS of the service (VmRSS), and per target above the 1-target run when N=1 was run.
# --rounds K (default 1) runs the sizes in turn K times and prints each figure's median: the
# shared machine's speed drifts by 20 % from one run to the next.
# Every phase is bounded; serve and nginx are stopped on exit. Ratios are what to compare: the
# machine's speed cancels out within one run.
set -euo pipefail

invocation="$0$(printf " %q" "$@")"  # quoted as typed: --metrics takes spaces
cd "$(dirname "$0")/.."
sizes="1,10,100,1000"
total_rate=2000
phase_seconds=15
warmup=65
rounds=1
scrape_every_ms=250
scrape_seconds=30
binary=""
metrics=""
while [ $# -gt 0 ]; do
  case "$1" in
    --targets) sizes=$2; shift ;;
    --total-rate) total_rate=$2; shift ;;
    --phase-seconds) phase_seconds=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --scrape-every-ms) scrape_every_ms=$2; shift ;;
    --scrape-seconds) scrape_seconds=$2; shift ;;
    --binary) binary=$2; shift ;;
    --metrics) metrics=$2; shift ;;
    *) echo "usage: $0 [--targets N,N,...] [--total-rate R] [--phase-seconds S] [--warmup W]" \
            "[--rounds K] [--scrape-every-ms M] [--scrape-seconds T] [--metrics SETTINGS]" \
            "[--binary PATH]" >&2
       exit 2 ;;
  esac
  shift
done
if [ "$phase_seconds" -gt 60 ] || [ "$phase_seconds" -lt 5 ]; then
  echo "serve_scrape: --phase-seconds must be 5..60" >&2
  exit 2
fi
if ! [ "$scrape_seconds" -ge 5 ] 2>/dev/null || [ "$scrape_seconds" -gt 120 ]; then
  echo "serve_scrape: --scrape-seconds must be 5..120" >&2
  exit 2
fi
if ! [ "$warmup" -ge 5 ] 2>/dev/null || [ "$warmup" -gt 300 ]; then
  echo "serve_scrape: --warmup must be 5..300 seconds" >&2
  exit 2
fi
if ! [ "$rounds" -ge 1 ] 2>/dev/null || [ "$rounds" -gt 9 ]; then
  echo "serve_scrape: --rounds must be 1..9" >&2
  exit 2
fi
. bench/common.sh
find_binary serve_scrape
for tool in curl python3; do
  command -v "$tool" >/dev/null 2>&1 || { echo "serve_scrape: $tool is missing; run deploy/install-deps.sh --all" >&2; exit 2; }
done

work=$(mktemp -d /tmp/infercost-serve-scrape.XXXXXX)
# nginx's worker runs as nobody when started by root: it must be able to read $work/nginx/static.
chmod 755 "$work"
reference_nginx_pid=""
cleanup() {
  nginx_stop
  if [ -n "$reference_nginx_pid" ]; then
    kill "$reference_nginx_pid" 2>/dev/null || true
    wait "$reference_nginx_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# The reference service's nginx first (nginx_start keeps one pid: this one's is kept here).
nginx_start "$work/nginx-reference" || { echo "serve_scrape: nginx did not start" >&2; exit 1; }
reference_nginx_pid=$nginx_pid
reference_url=$nginx_url
nginx_start "$work/nginx" || { echo "serve_scrape: nginx did not start" >&2; exit 1; }
echo "serve_scrape: targets $sizes, $total_rate req/s in total (open loop), on nginx $(nginx_version) at $nginx_url"
echo "binary: $binary ($(binary_version)); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: $invocation"
python3 bench/serve_scrape.py "$binary" "$nginx_url" "$work" "$sizes" "$total_rate" \
  "$phase_seconds" "$scrape_every_ms" "$metrics" "$warmup" "$rounds" "$scrape_seconds" \
  "$reference_url"
