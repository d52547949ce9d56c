#!/usr/bin/env bash
# deploy/kubernetes and its kube-prometheus-stack overlay as `kubectl kustomize` renders them:
# every object valid against the Kubernetes and prometheus-operator schemas (npm's
# kubernetes-models, installed by deploy/install-deps.sh), the overlay's labels, dashboards and
# shard count right (k8s-schemas/overlay.mjs), its PrometheusRule's rules through promtool, and a
# user's overlay on top that changes the replicas carrying the new count to the pods.
set -euo pipefail
kubectl=$1
node=$2
promtool=$3
kubernetes=$4
dashboards=$5
schemas=$(cd "$(dirname "$0")/k8s-schemas" && pwd)
overlay=$kubernetes/overlays/kube-prometheus-stack
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -d "$schemas/node_modules/kubernetes-models" ] \
  || { echo "$schemas/node_modules missing: run deploy/install-deps.sh" >&2; exit 1; }
# `resources:` naming directories, `labels:`, `replicas:` and `replacements:` need kustomize v4.1.
version=$("$kubectl" version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
read -r major minor <<<"${version:-0 0}"
if [ "$major" -lt 4 ] || { [ "$major" -eq 4 ] && [ "$minor" -lt 1 ]; }; then
  echo "$kubectl has kustomize '${version:-none}': the overlay needs v4.1 or later (kubectl 1.21+)" >&2
  exit 1
fi

echo "== deploy/kubernetes"
"$kubectl" kustomize "$kubernetes" >"$tmp/base.yaml"
"$node" "$schemas/validate.mjs" <"$tmp/base.yaml"

echo "== overlays/kube-prometheus-stack"
"$kubectl" kustomize "$overlay" >"$tmp/overlay.yaml"
"$node" "$schemas/validate.mjs" <"$tmp/overlay.yaml"
"$node" "$schemas/overlay.mjs" "$dashboards" "$tmp/rules.yml" <"$tmp/overlay.yaml"
"$promtool" check rules --lint=all --lint-fatal "$tmp/rules.yml"

echo "== a user's overlay with five shards"
mkdir "$tmp/five"
cat >"$tmp/five/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [$(realpath --relative-to="$tmp/five" "$overlay")]
replicas: [{name: infercost, count: 5}]
YAML
sed -n '/^replacements:/,$p' "$overlay/kustomization.yaml" >>"$tmp/five/kustomization.yaml"
"$kubectl" kustomize "$tmp/five" >"$tmp/five.yaml"
"$node" "$schemas/overlay.mjs" "$dashboards" "$tmp/rules5.yml" <"$tmp/five.yaml" | grep 'SHARD_COUNT'
grep -q '^  replicas: 5$' "$tmp/five.yaml"
