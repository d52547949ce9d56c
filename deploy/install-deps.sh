#!/usr/bin/env bash
# Installs every system package infercost needs to build, test and benchmark, from Debian 12's
# archive. Idempotent: packages already present are left alone, and apt-get is only called when
# something is missing. Run as root (or with sudo). The Dockerfile runs this same script.
#
#   deploy/install-deps.sh            build + tests (the default)
#   deploy/install-deps.sh --build    only what `cmake --workflow --preset release` needs (the
#                                     Dockerfile's build stage)
#   deploy/install-deps.sh --runtime  only what the infercost binary needs at run time
#   deploy/install-deps.sh --all      build + tests + benchmark peers + image build tools
set -euo pipefail

mode=${1:---tests}

# curl is for the image's HEALTHCHECK (deploy/Dockerfile).
# libtcmalloc-minimal4: the allocator the binary links (CMakeLists.txt, INFERCOST_TCMALLOC).
runtime=(libcurl4 libcivetweb1 libyaml-cpp0.7 libprometheus-cpp-core1.0 libcrypt1
  libtcmalloc-minimal4 ca-certificates curl)
build=(build-essential cmake pkg-config git dpkg-dev libcurl4-openssl-dev libcivetweb-dev libyaml-cpp-dev
  prometheus-cpp-dev libcrypt-dev libgoogle-perftools-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev)
# Tests: promtool and a real Prometheus for the stack test, headless Chromium for the page test,
# apache2-utils for htpasswd (bcrypt hashes in tests), librsvg2-bin to render the sweep's charts,
# docker-compose to validate deploy/docker-compose.yml, python3 for the helper test servers, nginx
# to run deploy/tls-proxy/nginx.conf in tests/deploy, python3-botocore (AWS's SDK core) to prove
# the emulator's AWS wire formats and SigV4 checks, systemd (systemd-analyze) for the Debian
# package's test, clang with its runtime libraries (libFuzzer, the sanitizers) for the fuzz targets
# (the `fuzz` preset, tests/fuzz). dpkg-dev (in --build) gives cpack -G DEB its dpkg-shlibdeps.
tests=(prometheus prometheus-alertmanager chromium curl apache2-utils librsvg2-bin docker-compose
  python3 python3-botocore procps nginx openssl systemd clang libclang-rt-14-dev)
# Benchmarks and image builds: peers (wrk, hey; nginx and ab come with the tests list) and the
# rootless image toolchain.
extra=(wrk hey podman buildah debootstrap)

case "$mode" in
  --runtime) want=("${runtime[@]}") ;;
  --build) want=("${runtime[@]}" "${build[@]}") ;;
  --tests) want=("${runtime[@]}" "${build[@]}" "${tests[@]}") ;;
  --all) want=("${runtime[@]}" "${build[@]}" "${tests[@]}" "${extra[@]}") ;;
  *) echo "usage: $0 [--runtime|--build|--tests|--all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# Node.js and npm run the Kubernetes schema check (tests/deploy/k8s-schemas); a Node.js from
# elsewhere (with its own npm) does as well as Debian's.
if [ "$mode" != --runtime ] && [ "$mode" != --build ] && ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

# The npm packages of tests/deploy/k8s-schemas, into its node_modules/, from its lock file; again
# only when the lock file changed since the last install.
npm_deps() {
  local dir lock stamp
  dir=$(cd "$(dirname "$0")/.." && pwd)/tests/deploy/k8s-schemas
  lock=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  stamp=$dir/node_modules/.installed-lock-sha256
  if [ "$(cat "$stamp" 2>/dev/null)" = "$lock" ]; then
    echo "install-deps: npm packages of tests/deploy/k8s-schemas present"
  else
    echo "install-deps: npm ci in tests/deploy/k8s-schemas"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock" >"$stamp"
  fi
  # `kubectl kustomize` renders deploy/kubernetes; its overlay needs kustomize v4.1 (kubectl 1.21).
  # Debian 12's kubernetes-client is kubectl 1.20 (kustomize v2.0.3), too old, so it is not
  # installed here: use a kubectl from Kubernetes' own packages.
  if ! kubectl version --client 2>/dev/null | grep -Eq '^Kustomize Version: v([5-9]|4\.([1-9]|[1-9][0-9]))'; then
    echo "install-deps: warning: no kubectl with kustomize v4.1 or later; deploy.k8s_overlay fails" >&2
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  if [ "$mode" = --tests ] || [ "$mode" = --all ]; then npm_deps; fi
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian's prometheus package starts a system service on install; infercost's tests start their
# own instances on free loopback ports, so stop the packaged one where systemd is running.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $sudo systemctl disable --now prometheus prometheus-node-exporter prometheus-alertmanager \
    nginx >/dev/null 2>&1 || true
fi
if [ "$mode" = --tests ] || [ "$mode" = --all ]; then npm_deps; fi
