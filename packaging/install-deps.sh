#!/usr/bin/env bash
# Installs every Debian 12 package daemonlet needs to build, test and run.
# Idempotent: packages already present are left alone, and apt-get update runs
# only when something is missing (it is the slow, network-bound step).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config git clang libclang-rt-14-dev
  # libraries (see README "Dependencies")
  libboost-dev libboost-system-dev
  libcpp-httplib-dev nlohmann-json3-dev libyaml-cpp-dev
  libcurl4-openssl-dev libssl-dev libsystemd-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libgtest-dev libgmock-dev
  # test peers: nginx serves the endpoint integration tests (Debian's build has
  # http_ssl_module and http_dav_module); openssl makes their CA and certificates
  openssl curl procps nginx
  # bench only: many simulated agents' conditional polls against one nginx
  wrk
  # cpp-httplib is compiled from Debian's source package without TLS
  # (packaging/fetch-httplib-source.sh): apt fetches it, these unpack and patch it
  debian-archive-keyring xz-utils patch
  # packaging test: rpmbuild for the .rpm (the .deb needs only dpkg), systemd-analyze
  # to verify the unit
  rpm systemd
)

# The tests run their own nginx instances (own prefix, config and free ports), so a
# system nginx started by the package would only hold port 80 for nothing.
stopSystemNginx() {
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
}

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
  stopSystemNginx
  fetchHttplibSource
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
stopSystemNginx
fetchHttplibSource
