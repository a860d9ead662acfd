# daemonlet %preun: $1 is 0 on removal. The daemons keep running (see the unit file).
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
  systemctl disable --now daemonlet.service >/dev/null 2>&1 || :
fi
