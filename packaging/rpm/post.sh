# daemonlet %post: $1 is 1 on install, 2 on upgrade.
mkdir -p /var/lib/daemonlet /var/log/pods /etc/daemonlet/manifests /etc/daemonlet/config.d
chmod 0700 /var/lib/daemonlet
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || :
  if [ "$1" -eq 1 ]; then
    systemctl enable --now daemonlet.service >/dev/null 2>&1 || :
  fi
fi
