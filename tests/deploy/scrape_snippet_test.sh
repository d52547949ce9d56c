#!/usr/bin/env bash
# The scrape-config snippet that deploy/prometheus/prometheus.yml asks users to paste into their own
# Prometheus must be valid as pasted: uncomment it into an otherwise empty config and check it.
set -euo pipefail
promtool=$1
config=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

snippet=$(sed -n '/--- paste into scrape_configs: begin ---/,/--- paste into scrape_configs: end ---/p' \
  "$config" | sed '1d;$d' | sed 's/^#//')
if [ -z "$snippet" ]; then
  echo "no snippet between the paste markers in $config" >&2
  exit 1
fi
printf 'scrape_configs:\n%s\n' "$snippet" >"$tmp/prometheus.yml"
cat "$tmp/prometheus.yml"
"$promtool" check config "$tmp/prometheus.yml"
grep -q 'job_name: infercost' "$tmp/prometheus.yml"
