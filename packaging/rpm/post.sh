# daemonlet %post ($1: 1 on install, 2 on upgrade). %systemd_post, written out
# since CPack has no spec macros: a first install applies the system's preset
# (enabled unless a preset says otherwise, as on Debian and most hosts without a
# preset for it). Unlike %systemd_post it then starts an enabled unit: a node
# agent is installed to run, as the .deb's is.
mkdir -p -m 0700 /var/lib/daemonlet
mkdir -p /var/log/pods /etc/daemonlet/manifests /etc/daemonlet/config.d
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || :
  if [ "$1" -eq 1 ]; then
    systemctl --no-reload preset daemonlet.service >/dev/null 2>&1 || :
    if systemctl --quiet is-enabled daemonlet.service 2>/dev/null; then
      systemctl start daemonlet.service >/dev/null 2>&1 || :
    fi
  fi
fi
