# daemonlet %preun ($1: 0 on erase, 1 on upgrade). %systemd_preun: erasing stops
# and disables the agent. The daemons and their shim host keep running (own
# scopes) and the state stays, as for a .deb's remove: an agent installed again
# adopts them. README, "Installing as a service", says how to stop them.
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
  systemctl --no-reload disable --now daemonlet.service >/dev/null 2>&1 || :
fi
