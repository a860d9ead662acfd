#!/usr/bin/env bash
# The .deb's maintainer scripts and the .rpm's scriptlets, run in the order dpkg
# and rpm run them for install, upgrade, remove, install again after a remove,
# an admin's disable, and purge/erase, with the real deb-systemd-helper and
# deb-systemd-invoke. systemd itself is not running here: a stand-in systemctl
# keeps each unit's active state in a file and hands enablement (preset,
# is-enabled, enable, disable) to the real systemctl working offline (--root=/).
# The booted-root test runs the same packages under a real systemd.
#
# Everything happens in private mount and pid namespaces (ctest starts this under
# `unshare --mount --pid --fork --mount-proc`): /etc, /var and /usr are overlays
# on a tmpfs, /run and /sys/fs/cgroup are fresh tmpfs, so the host's files,
# units, cgroups and processes are never touched.
#   usage: maintainer_scripts_test.sh SOURCE_DIR
set -euo pipefail
src=$1
failures=0

scratch=$(mktemp -d)
mount -t tmpfs tmpfs "$scratch"
for dir in etc var usr; do
  mkdir -p "$scratch/$dir.upper" "$scratch/$dir.work"
  mount -t overlay overlay -o "lowerdir=/$dir,upperdir=$scratch/$dir.upper,workdir=$scratch/$dir.work" "/$dir"
done
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /sys/fs/cgroup
rm -f /usr/sbin/policy-rc.d  # a container image's "no service starts" policy
mkdir -p /run/systemd/system "$scratch/bin" "$scratch/state"
log=$scratch/calls.log

cat >"$scratch/bin/systemctl" <<EOF
#!/bin/sh
echo "systemctl \$*" >>"$log"
action=
for arg in "\$@"; do
  case "\$arg" in -*) ;; *) [ -z "\$action" ] && action=\$arg ;; esac
done
unit=\$(for arg in "\$@"; do :; done; echo "\$arg")
state="$scratch/state/\$unit"
now=no
for arg in "\$@"; do [ "\$arg" = --now ] && now=yes; done
case "\$action" in
  preset | is-enabled | enable | disable)
    /usr/bin/systemctl --root=/ "\$@" 2>/dev/null | grep -v '^Created\|^Removed' || true
    if [ "\$action" = is-enabled ]; then /usr/bin/systemctl --root=/ --quiet is-enabled "\$unit"; exit \$?; fi
    [ "\$now" = yes ] && [ "\$action" = disable ] && echo inactive >"\$state"
    exit 0 ;;
  is-active) [ "\$(cat "\$state" 2>/dev/null)" = active ] ;;
  start | restart) echo active >"\$state" ;;
  try-restart) [ "\$(cat "\$state" 2>/dev/null)" = active ] && echo "\$unit" >>"$scratch/restarted"; exit 0 ;;
  stop) echo inactive >"\$state" ;;
  daemon-reload) ;;
  *) echo "stand-in systemctl: unexpected \$*" >&2; exit 1 ;;
esac
EOF
chmod +x "$scratch/bin/systemctl"
export PATH="$scratch/bin:$PATH"

unit=/usr/lib/systemd/system/daemonlet.service
wants=/etc/systemd/system/multi-user.target.wants/daemonlet.service

check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then
    echo "ok: $what"
  else
    echo "FAIL: $what" >&2
    failures=$((failures + 1))
  fi
}
active() { [ "$(cat "$scratch/state/daemonlet.service" 2>/dev/null)" = active ]; }
enabled() { [ -L "$wants" ]; }
stopped() { ! active; }
not_enabled() { ! enabled; }
absent() { [ ! -e "$1" ]; }
present() { [ -e "$1" ]; }

unpack() { mkdir -p "$(dirname "$unit")" /etc/daemonlet; cp "$src/systemd/daemonlet.service" "$unit"; touch /etc/daemonlet/config.yaml; }
remove_files() { rm -f "$unit"; }
# As dpkg runs them: deb-systemd-helper refuses to act outside a maintainer script.
deb() { DPKG_MAINTSCRIPT_PACKAGE=daemonlet DPKG_MAINTSCRIPT_NAME=$1 sh -e "$src/packaging/deb/$1" "${@:2}"; }

echo "== .deb: install"
unpack
deb postinst configure ""
check "install enables the unit" enabled
check "install starts the unit" active
check "install makes the state directory 0700" [ "$(stat -c %a /var/lib/daemonlet)" = 700 ]

echo "== .deb: upgrade"
deb prerm upgrade 0.2.0
check "prerm upgrade leaves the agent running (postinst restarts it)" active
unpack
deb postrm upgrade 0.2.0
: >"$log"
deb postinst configure 0.1.0
check "upgrade keeps the unit enabled" enabled
check "upgrade restarts the agent" grep -q "^systemctl --quiet --system restart daemonlet.service$" "$log"
check "upgrade leaves the agent active" active

echo "== .deb: remove, then install again"
mkdir -p /var/lib/daemonlet/containers && touch /var/lib/daemonlet/containers/record.json
deb prerm remove
remove_files
deb postrm remove
check "remove stops the agent" stopped
check "remove keeps the state (a new agent adopts the daemons)" present /var/lib/daemonlet/containers/record.json
: >"$log"
unpack
deb postinst configure 0.1.0
check "install after remove enables the unit" enabled
check "install after remove starts the unit" active

echo "== .deb: an admin's disable survives an upgrade"
systemctl --system disable --now daemonlet.service
deb prerm upgrade 0.2.0
unpack
deb postrm upgrade 0.2.0
deb postinst configure 0.1.0
check "a disabled unit stays disabled" not_enabled
check "a disabled, stopped unit is not started" stopped
systemctl --system enable daemonlet.service
deb postinst configure 0.1.0
check "enabled again, it is started" active

echo "== .deb: purge"
# A daemon's cgroup (cgroupRoot, without systemd) and a shim host running from
# its deleted binary, as after a remove.
mkdir -p /sys/fs/cgroup/daemonlet/pod-1/main /usr/lib/daemonlet /etc/daemonlet/manifests /run/daemonlet
: >/sys/fs/cgroup/daemonlet/pod-1/main/cgroup.kill
cp /bin/sleep /usr/lib/daemonlet/daemonlet-shim
/usr/lib/daemonlet/daemonlet-shim 60 &
shim=$!
touch /etc/daemonlet/manifests/operator.yaml /run/daemonlet/api-token
deb prerm remove
remove_files
rm /usr/lib/daemonlet/daemonlet-shim
deb postrm remove
rm /etc/daemonlet/config.yaml  # dpkg removes the conffile before postrm purge
: >"$log"
deb postrm purge
set +e
wait "$shim"
shim_status=$?
set -e
check "purge kills the shim host running from its deleted binary" [ "$shim_status" -eq 137 ]
check "purge stops every scope in daemonlet.slice" grep -q "^systemctl stop daemonlet.slice$" "$log"
check "purge kills the pods' cgroups (without systemd)" grep -qx 1 /sys/fs/cgroup/daemonlet/pod-1/main/cgroup.kill
check "purge removes the state" absent /var/lib/daemonlet
check "purge removes the runtime files" absent /run/daemonlet
check "purge removes the unit's enablement" absent "$wants"
check "purge removes deb-systemd-helper's record" absent /var/lib/systemd/deb-systemd-helper-enabled/daemonlet.service.dsh-also
check "purge keeps the operator's manifests" present /etc/daemonlet/manifests/operator.yaml
rm /etc/daemonlet/manifests/operator.yaml
deb postrm purge
check "purge without operator files leaves no /etc/daemonlet" absent /etc/daemonlet

echo "== .rpm: install, upgrade, erase"
rpm_script() { sh -e "$src/packaging/rpm/$1" "$2"; }
rm -f "$scratch/state/daemonlet.service" "$scratch/restarted"
unpack
rpm_script post.sh 1
check "rpm install enables the unit (no preset disables it)" enabled
check "rpm install starts the unit" active
unpack
rpm_script post.sh 2
rpm_script preun.sh 1
rpm_script postun.sh 1
check "rpm upgrade restarts the agent" grep -qx daemonlet.service "$scratch/restarted"
check "rpm upgrade keeps the unit enabled" enabled
rpm_script preun.sh 0
remove_files
rpm_script postun.sh 0
check "rpm erase stops the agent" stopped
check "rpm erase disables the unit" not_enabled

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed; calls:" >&2
  cat "$log" >&2
  exit 1
fi
echo "all checks passed"
