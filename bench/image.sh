#!/usr/bin/env bash
# Builds the infercost container image for real on a machine without a registry, then runs it.
#
#   1. Debian 12 bases: `debootstrap --variant=minbase bookworm` into a directory (only Debian's
#      mirror is needed), `podman import`ed as localhost/debian:12-minbase for the build stage,
#      and from it localhost/debian:12-slim for the runtime stage, slimmed as Debian's official
#      debian:12-slim is (dpkg excludes docs, man pages and locales); both kept for later runs;
#   2. `podman build --isolation chroot` of deploy/Dockerfile with those two bases, the file
#      docker-compose builds: the build stage runs deploy/install-deps.sh as CI does and makes the
#      .deb, the runtime stage installs it with apt (so this is also the package's `dpkg -i` in a
#      clean Debian 12, and its `infercost version`); chroot isolation, as the default OCI runtime
#      cannot create cgroups here. Prints the image's size, labels and installed package;
#   3. the built image's `infercost serve` (its embedded default: the emulated AWS fleet) run with
#      `buildah run --isolation chroot` (plain `podman run` cannot set rlimits in this sandbox),
#      listening on loopback, and /metrics scraped once and checked with promtool.
#
# Run as root from anywhere: bench/image.sh. It takes a while (the image compiles infercost);
# it is a benchmark-style check, not part of the ctest suite. Environment:
#   DEBIAN_MIRROR   mirror for debootstrap (default http://deb.debian.org/debian)
#   REBUILD_BASE=1  make the base image again even if it exists
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
base=localhost/debian:12-minbase
slim=localhost/debian:12-slim
image=localhost/infercost:0.1.0
work=$(mktemp -d /var/tmp/infercost-image.XXXXXX)
container=""
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$container" ]; then buildah rm "$container" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
log() { printf '%s image.sh: %s\n' "$(date +%T)" "$*"; }

for tool in debootstrap podman buildah curl promtool; do
  command -v "$tool" >/dev/null || { echo "image.sh: $tool missing (deploy/install-deps.sh --all)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "image.sh: debootstrap needs root" >&2; exit 2; }

# 1. Base image.
if [ "${REBUILD_BASE:-0}" = 1 ] || ! podman image exists "$base"; then
  log "debootstrap --variant=minbase bookworm from $mirror"
  started=$SECONDS
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log"; exit 1; }
  # A container base carries no apt caches or host-specific files.
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - "$base" >/dev/null
  rm -rf "$work/rootfs"
  log "base $base imported in $((SECONDS - started)) s"
else
  log "reusing base $base (REBUILD_BASE=1 to make it again)"
fi

# The runtime base: what debuerreotype-slimify does to make debian:12-slim from the same minbase.
if [ "${REBUILD_BASE:-0}" = 1 ] || ! podman image exists "$slim"; then
  container=$(buildah from "$base")
  buildah run --isolation chroot "$container" -- sh -ec '
    printf "%s\n" "path-exclude /usr/share/doc/*" "path-include /usr/share/doc/*/copyright" \
      "path-exclude /usr/share/info/*" "path-exclude /usr/share/linda/*" \
      "path-exclude /usr/share/lintian/overrides/*" "path-exclude /usr/share/locale/*" \
      "path-exclude /usr/share/man/*" >/etc/dpkg/dpkg.cfg.d/docker
    find /usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete
    find /usr/share/doc -mindepth 1 -type d -empty -delete
    rm -rf /usr/share/info/* /usr/share/linda/* /usr/share/lintian/overrides/* \
      /usr/share/locale/* /usr/share/man/*'
  # Squashed: deleting files in a layer of its own would not make the image any smaller.
  buildah commit --squash --rm "$container" "$slim" >/dev/null
  container=""
  log "base $slim made from $base"
fi

# 2. The image, from the same Dockerfile docker-compose uses.
log "podman build of deploy/Dockerfile"
started=$SECONDS
podman build --isolation chroot --format docker --build-arg "BUILD_IMAGE=$base" \
  --build-arg "RUNTIME_IMAGE=$slim" \
  --build-arg "REVISION=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" \
  -f "$repo/deploy/Dockerfile" -t "$image" "$repo" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
build_s=$((SECONDS - started))
size=$(podman image inspect --format '{{.Size}}' "$image")
log "built $image in $build_s s, $((size / 1024 / 1024)) MiB"
podman image inspect --format 'user={{.Config.User}} entrypoint={{.Config.Entrypoint}} cmd={{.Config.Cmd}} healthcheck={{.Config.Healthcheck.Test}}' "$image"
podman image inspect --format '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{"\n"}}{{end}}' "$image" \
  | grep '^org.opencontainers'

# 3. Run the image's infercost serve on loopback and scrape it once.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
container=$(buildah from "$image")
log "buildah run --isolation chroot: infercost serve --listen 127.0.0.1:$port"
buildah run --isolation chroot "$container" -- infercost version
buildah run --isolation chroot "$container" -- dpkg-query -W -f '${Package} ${Version} ${Status}\n' infercost
buildah run --isolation chroot "$container" -- infercost serve --listen "127.0.0.1:$port" \
  >"$work/serve.log" 2>&1 &
server_pid=$!
ready=0
for _ in $(seq 120); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null; then ready=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.5
done
if [ "$ready" != 1 ]; then
  echo "image.sh: the image's infercost serve did not become ready" >&2
  tail -30 "$work/serve.log" >&2
  exit 1
fi
curl -fsS "http://127.0.0.1:$port/metrics" >"$work/metrics.txt"
promtool check metrics <"$work/metrics.txt"
for metric in infercost_build_info infercost_inferences_total infercost_cost_usd_total \
  infercost_request_duration_seconds_bucket; do
  grep -q "^$metric" "$work/metrics.txt" || { echo "image.sh: /metrics lacks $metric" >&2; exit 1; }
done
log "scraped $(grep -vc '^#' "$work/metrics.txt") samples of $(grep -c '^# TYPE' "$work/metrics.txt") metric families from the image's serve"
grep -E '^infercost_(build_info|target_info)' "$work/metrics.txt" | head -6
echo "image.sh: ok"
