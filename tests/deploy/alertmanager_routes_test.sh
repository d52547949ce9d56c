#!/usr/bin/env bash
# deploy/alertmanager/alertmanager.yml is valid and routes each severity to its receiver.
set -euo pipefail
amtool=$1
config=$2
"$amtool" check-config "$config"
expect() {
  local want=$1
  shift
  local got
  got=$("$amtool" config routes test --config.file="$config" "$@" 2>/dev/null)
  if [ "$got" != "$want" ]; then
    echo "labels $* route to '$got', want '$want'" >&2
    exit 1
  fi
  echo "$* -> $got"
}
expect page alertname=InfercostGeneratorDown severity=critical instance=gen-0:18090
expect team alertname=InfercostCostRegressionDayOverDay severity=warning target=t3-medium
expect low-priority alertname=InfercostColdStartRatioHigh severity=info target=lambda-1024
expect team alertname=SomethingWithoutSeverity
expect inhibit-only alertname=InfercostGeneratorDownForTarget severity=none job=infercost \
  instance=gen-0:18090 target=t3-medium
