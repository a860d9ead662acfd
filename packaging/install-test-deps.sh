#!/usr/bin/env bash
# Installs everything scripts/test.sh needs: the agent's packages
# (packaging/install-deps.sh) plus the ones only the tests, the fuzz build and the
# benchmarks use. Idempotent, as install-deps.sh.
set -euo pipefail

testPackages=(
  # the fuzz flavour: clang with libFuzzer and the sanitizer runtimes
  clang libclang-rt-14-dev
  # unit and integration tests
  libgtest-dev libgmock-dev
  # the prober test's gRPC health server (the agent itself speaks no gRPC)
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  # test peers: nginx serves the endpoint integration tests (Debian's build has
  # http_ssl_module and http_dav_module); openssl makes their CA and certificates;
  # those tests' in-process servers use Debian's cpp-httplib built with OpenSSL
  openssl libssl-dev curl procps nginx
  # bench only: many simulated agents' conditional polls against one nginx
  wrk
  # packaging test: rpmbuild for the .rpm (the .deb needs only dpkg), systemd-analyze
  # to verify the unit
  rpm systemd
)

bash "$(dirname "${BASH_SOURCE[0]}")/install-deps.sh" "${testPackages[@]}"

# The tests run their own nginx instances (own prefix, config and free ports), so a
# system nginx started by the package would only hold port 80 for nothing.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
fi
