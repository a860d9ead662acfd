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
  # test peers: nginx serves the endpoint integration tests (Debian's build has
  # http_ssl_module and http_dav_module); openssl makes their CA and certificates;
  # those tests' in-process servers use Debian's cpp-httplib built with OpenSSL
  openssl libssl-dev curl procps nginx
  # bench only: many simulated agents' conditional polls against one nginx
  wrk
  # packaging test: rpmbuild for the .rpm (the .deb needs only dpkg), systemd-analyze
  # to verify the unit, lintian and rpmlint to check both packages against policy
  rpm systemd lintian rpmlint
  # CRI integration tests (test/integration/cri/): a private containerd with runc,
  # images built from busybox-static, a loopback docker-registry (TLS, htpasswd
  # auth: apache2-utils for `htpasswd -B`) and skopeo to push into it
  containerd runc busybox-static docker-registry skopeo apache2-utils
  # a second OCI runtime, for a pod whose runtimeClassName names a containerd handler
  crun
  # the realworld CRI test gives pods that are not hostNetwork a CNI bridge network
  containernetworking-plugins iproute2
  # boot tests (test/integration/boot/): a Debian 12 root made by debootstrap,
  # booted under a real systemd with systemd-nspawn
  systemd-container debootstrap
)

# kubectl for test/integration/kubectl: Debian's kubernetes-client, unless a kubectl
# is already installed (e.g. the `kubectl` package of Google's Cloud SDK
# repository, which owns /usr/bin/kubectl too, so installing both would conflict)
if ! command -v kubectl >/dev/null 2>&1; then
  testPackages+=(kubernetes-client)
fi

bash "$(dirname "${BASH_SOURCE[0]}")/install-deps.sh" "${testPackages[@]}"

# The tests run their own nginx instances (own prefix, config and free ports), so a
# system nginx started by the package would only hold port 80 for nothing.
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
fi

# The CRI tests start their own containerd and registry (private roots, sockets and
# ports); the system ones would hold /run/containerd and port 5000 for nothing.
# Without systemd the packages' init scripts may have started them: stop those too.
for service in containerd docker-registry; do
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now "$service" >/dev/null 2>&1 || true
  elif [ -x "/etc/init.d/$service" ]; then
    "/etc/init.d/$service" stop >/dev/null 2>&1 || true
  fi
done
