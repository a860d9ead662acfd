# daemonlet %postun ($1: 0 on erase, 1 on upgrade). %systemd_postun_with_restart:
# an upgrade restarts the agent, which adopts the running daemons.
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || :
  if [ "$1" -ge 1 ]; then
    systemctl try-restart daemonlet.service >/dev/null 2>&1 || :
  fi
fi
