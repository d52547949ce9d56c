#!/usr/bin/env bash
# deploy/kubernetes/base: the ConfigMap's config passes `infercost check-config` as every pod of
# the StatefulSet sees it (INFERCOST_SHARD_INDEX = its ordinal, INFERCOST_SHARD_COUNT = the
# replicas, as kustomize sets it), and an ordinal one past the replicas is refused.
set -euo pipefail
infercost=$1
dir=$2
images=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The config is the block scalar under `infercost.yaml: |`, indented four spaces.
sed -n '/^  infercost.yaml: |$/,$p' "$dir/configmap.yaml" | tail -n +2 | sed 's/^    //' \
  >"$tmp/infercost.yaml"
grep -q '^targets:' "$tmp/infercost.yaml"
replicas=$(sed -n 's/^  replicas: \([0-9][0-9]*\)$/\1/p' "$dir/statefulset.yaml")
[ -n "$replicas" ]

for ((ordinal = 0; ordinal <= replicas; ordinal++)); do
  rc=0
  env -i INFERCOST_SHARD_INDEX="$ordinal" INFERCOST_SHARD_COUNT="$replicas" INFER_IMAGE_DIR="$images" INFER_API_KEY=test-key \
    "$infercost" check-config "$tmp/infercost.yaml" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [ "$ordinal" -lt "$replicas" ]; then
    if [ "$rc" -ne 0 ] || ! grep -q "shard $ordinal of $replicas" "$tmp/out"; then
      echo "ordinal $ordinal: check-config exit $rc" >&2
      cat "$tmp/out" "$tmp/err" >&2
      exit 1
    fi
    echo "ordinal $ordinal: $(head -1 "$tmp/out")"
  else
    if [ "$rc" -ne 2 ] || ! grep -q "index: must be from 0 to $((replicas - 1))" "$tmp/err"; then
      echo "ordinal $ordinal (one past the replicas) was not refused: exit $rc" >&2
      cat "$tmp/out" "$tmp/err" >&2
      exit 1
    fi
    echo "ordinal $ordinal: refused: $(cat "$tmp/err")"
  fi
done
