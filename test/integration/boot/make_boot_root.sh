#!/usr/bin/env bash
# Makes (once) the Debian 12 root the boot tests start under systemd-nspawn and
# prints its path. The root is cached outside the checkout, keyed by this script's
# own hash (the package list and setup live here), so reruns and other checkouts
# reuse it; each test boots an overlay over it and never writes into it.
#   make_boot_root.sh [CACHE_DIR]   (default $DAEMONLET_BOOT_CACHE or /var/cache/daemonlet-test)
set -euo pipefail

cache=${1:-${DAEMONLET_BOOT_CACHE:-/var/cache/daemonlet-test}}
mirror=${DAEMONLET_BOOT_MIRROR:-http://deb.debian.org/debian}
# systemd as PID 1 with D-Bus (systemctl, transient scopes); what the agent's .deb
# Depends on, since dpkg -i inside the booted root cannot fetch anything (the
# container has no network); rpm for the .rpm's install/upgrade/erase; procps
# (pgrep) for the tests' process checks.
packages=systemd,systemd-sysv,dbus,libcurl4,libyaml-cpp0.7,libstdc++6,libgcc-s1,rpm,procps

key=$( (cat "$0"; echo "$mirror") | sha256sum | cut -c1-12)
root="$cache/bookworm-$key"
if [ -d "$root" ]; then
  echo "$root"
  exit 0
fi

mkdir -p "$cache"
# Two test runs starting together build the root once.
exec 9>"$cache/.lock"
flock 9
# The finished root appears at its path in one rename: a root there is complete.
if [ ! -d "$root" ]; then
  work="$root.partial"
  rm -rf "$work"
  started=$(date +%s)
  debootstrap --variant=minbase --include="$packages" bookworm "$work" "$mirror" >"$cache/debootstrap-$key.log" 2>&1 ||
    { echo "debootstrap failed, see $cache/debootstrap-$key.log:" >&2; tail -n 20 "$cache/debootstrap-$key.log" >&2; exit 1; }
  # No apt caches in the read-only base; each boot gets its own machine id.
  rm -rf "$work"/var/cache/apt/archives/*.deb "$work"/var/lib/apt/lists/*
  : >"$work/etc/machine-id"
  echo "debootstrap took $(($(date +%s) - started))s" >&2
  mv "$work" "$root"
fi
echo "$root"
