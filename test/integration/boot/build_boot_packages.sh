#!/usr/bin/env bash
# Builds the packages the boot tests install: this tree's .deb and .rpm, and the
# same again with a higher version, for upgrades. cpack packages what the build
# already made (it never rebuilds), into OUT_DIR, not the build's own package
# directory that the packaging test uses at the same time.
#   build_boot_packages.sh BUILD_DIR OUT_DIR NEWER_VERSION
set -euo pipefail
build=$1
out=$2
newer=$3

rm -rf "$out"
mkdir -p "$out/newer"
for generator in DEB RPM; do
  cpack -G "$generator" --config "$build/CPackConfig.cmake" -B "$out/current" >"$out.log" 2>&1 ||
    { cat "$out.log" >&2; exit 1; }
done
# The newer .deb is the same package with a higher Version field: repacking it
# takes a second where another cpack run (shlibdeps, strip, compress) takes tens.
deb=$(ls "$out"/current/*.deb)
dpkg-deb -R "$deb" "$out/newer/unpacked"
sed -i "s/^Version: .*/Version: $newer/" "$out/newer/unpacked/DEBIAN/control"
dpkg-deb --root-owner-group -Zgzip -b "$out/newer/unpacked" "$out/newer/daemonlet_${newer}_$(dpkg-deb -f "$deb" Architecture).deb" >/dev/null
rm -rf "$out/newer/unpacked"
# rpm has no such repacking tool: cpack again, with the version overridden.
cpack -G RPM --config "$build/CPackConfig.cmake" -B "$out/newer" \
  -D CPACK_PACKAGE_VERSION="$newer" -D CPACK_PACKAGE_FILE_NAME="daemonlet-$newer" >"$out.log" 2>&1 ||
  { cat "$out.log" >&2; exit 1; }
rm -rf "$out/current/_CPack_Packages" "$out/newer/_CPack_Packages" "$out.log"
ls "$out"/current/*.deb "$out"/current/*.rpm "$out"/newer/*.deb "$out"/newer/*.rpm
