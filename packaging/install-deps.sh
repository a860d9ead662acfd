#!/usr/bin/env bash
# Installs the Debian 12 packages the agent needs to build and run (scripts/run.sh).
# The test suite's extra packages are packaging/install-test-deps.sh's, which
# passes them here as arguments: one install step for both.
# Idempotent: packages already present are left alone, and apt-get update runs
# only when something is missing (it is the slow, network-bound step).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config git
  # libraries (see README "Dependencies")
  libboost-dev libboost-system-dev
  libcpp-httplib-dev nlohmann-json3-dev libyaml-cpp-dev
  libcurl4-openssl-dev libsystemd-dev
  # the CRI runtime (runtime/cri): gRPC and protobuf, with the code generators
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  # cpp-httplib is compiled from Debian's source package without TLS
  # (packaging/fetch-httplib-source.sh): apt fetches it, these unpack and patch it
  debian-archive-keyring xz-utils patch
  "$@"
)

# The patched cpp-httplib source the build compiles (cmake/httplib.cmake); quick
# when already fetched.
fetchHttplibSource() {
  bash "$(dirname "${BASH_SOURCE[0]}")/fetch-httplib-source.sh" >/dev/null
}

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: must run as root (apt-get install)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  fetchHttplibSource
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
fetchHttplibSource
