#!/usr/bin/env bash
# The Debian package (cmake/InfercostPackage.cmake): `cpack -G DEB` from this build, then the .deb
# inspected with dpkg-deb (name, control fields, files, conffiles, maintainer scripts), its unit
# checked with `systemd-analyze verify` and `security --offline`, and its own binary and config
# run from the unpacked tree. The full `dpkg -i` into a clean Debian 12 is bench/image.sh (the
# image's runtime stage installs this .deb with apt).
set -euo pipefail
cpack=$1
build=$2
source=$3
allocator=$4  # tcmalloc, or glibc in the sanitizer builds (CMakeLists.txt, INFERCOST_TCMALLOC)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

version=$(sed -n 's/^project(infercost VERSION \([0-9.]*\) .*/\1/p' "$source/CMakeLists.txt")
arch=$(dpkg --print-architecture)
"$cpack" -G DEB -B "$tmp/out" --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1 \
  || { cat "$tmp/cpack.log"; fail "cpack -G DEB"; }
deb=$tmp/out/infercost_${version}_${arch}.deb
[ -f "$deb" ] || { ls "$tmp/out"; fail "no infercost_${version}_${arch}.deb"; }
echo "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# Control fields; the Depends come from dpkg-shlibdeps on the binary.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = infercost ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version)"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
deps=(libcurl4 libcivetweb1 libyaml-cpp0.7 libprometheus-cpp-core1.0 libc6 ca-certificates)
[ "$allocator" = tcmalloc ] && deps+=(libtcmalloc-minimal4)
for dep in "${deps[@]}"; do
  field Depends | grep -q "\b$dep\b" || fail "Depends lacks $dep: $(field Depends)"
done
echo "control: $(field Package) $(field Version) $(field Architecture); Depends: $(field Depends)"

# Files: the binary, the unit, the config, every dashboard and rule file; nothing of the CMake
# package (static libraries, headers).
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/files"
expect=(/usr/bin/infercost /usr/lib/systemd/system/infercost.service /etc/infercost/config.yaml)
for f in "$source"/dashboards/*.json; do expect+=("/usr/share/infercost/dashboards/$(basename "$f")"); done
for f in "$source"/deploy/prometheus/rules/*.yml; do expect+=("/usr/share/infercost/rules/$(basename "$f")"); done
for f in "${expect[@]}"; do grep -qx "$f" "$tmp/files" || fail "the .deb lacks $f"; done
if grep -E '\.(a|h)$|/include/|/cmake/' "$tmp/files"; then fail "development files in the .deb"; fi
echo "files: ${#expect[@]} expected paths present, no development files"

dpkg-deb -e "$deb" "$tmp/control"
[ "$(cat "$tmp/control/conffiles")" = /etc/infercost/config.yaml ] \
  || fail "conffiles: $(cat "$tmp/control/conffiles")"
for script in postinst prerm postrm; do
  [ -x "$tmp/control/$script" ] || fail "no executable $script"
  sh -n "$tmp/control/$script"
done
echo "conffiles: $(cat "$tmp/control/conffiles"); maintainer scripts: postinst prerm postrm"

# The unpacked package: its binary runs and accepts its own config; its unit verifies against it.
dpkg-deb -x "$deb" "$tmp/root"
"$tmp/root/usr/bin/infercost" version | tee "$tmp/version"
if [ "$allocator" = tcmalloc ]; then
  grep -q '^allocator: tcmalloc [0-9]' "$tmp/version" || fail "the binary does not run on tcmalloc"
else
  grep -qx 'allocator: glibc malloc' "$tmp/version" || fail "allocator: expected glibc malloc"
fi
"$tmp/root/usr/bin/infercost" check-config "$tmp/root/etc/infercost/config.yaml" | head -3
unit=$tmp/root/usr/lib/systemd/system/infercost.service
for setting in DynamicUser=yes NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes \
  CapabilityBoundingSet= 'ExecReload=/bin/kill -HUP $MAINPID' Restart=on-failure \
  SystemCallFilter=@system-service 'ExecStart=/usr/bin/infercost serve --config /etc/infercost/config.yaml'; do
  grep -qxF "$setting" "$unit" || fail "the unit lacks $setting"
done
grep -q '^RestrictAddressFamilies=' "$unit" || fail "the unit lacks RestrictAddressFamilies"
# verify checks every Exec*= program exists: point the unit at the unpacked binary (--root would
# need a whole system's units beside it).
mkdir "$tmp/unit"
sed "s|/usr/bin/infercost|$tmp/root/usr/bin/infercost|" "$unit" >"$tmp/unit/infercost.service"
systemd-analyze verify "$tmp/unit/infercost.service"
echo "systemd-analyze verify: ok"
# The exposure score systemd gives the unit's sandbox (0 = locked down, 10 = none): it stays
# "OK" (at most 2.0).
systemd-analyze security --offline=true --threshold=20 "$tmp/unit/infercost.service" | tail -1
