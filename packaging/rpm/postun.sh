# daemonlet %postun: $1 is 1 on upgrade; restarting is safe (daemons are adopted).
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || :
  if [ "$1" -ge 1 ]; then
    systemctl try-restart daemonlet.service >/dev/null 2>&1 || :
  fi
fi
