#pragma once
// The part of systemd's manager API daemonlet uses, behind an interface so the
// host runtime is tested without a bus. The implementation
// (sd_bus_unit_manager.h) talks to PID 1 over the system bus.
//
// Every call blocks until systemd has finished the job it started (a scope is
// running, a unit is stopped) or a timeout passed.
#include <sys/types.h>

#include <string>
#include <vector>

#include "agent/base/result.h"
#include "systemd/scope_request.h"

namespace daemonlet::systemd {

class UnitManager {
 public:
  virtual ~UnitManager() = default;

  virtual CgroupLayout layout() const = 0;

  // Creates the transient scope around request.pids. A unit of that name that
  // exists already is an error with code kInvalidArgument and "UnitExists" in
  // the message: the caller attaches instead.
  virtual base::Status startScope(const ScopeRequest& request) = 0;

  // Moves running processes into an existing unit (AttachProcessesToUnit).
  virtual base::Status attachProcesses(const std::string& unit, const std::vector<pid_t>& pids) = 0;

  // Stops the unit (its processes get SIGTERM, then SIGKILL). Ok when no such
  // unit is loaded: a scope whose processes all ended is gone by itself.
  virtual base::Status stopUnit(const std::string& unit) = 0;
};

// True when systemd is this system's service manager (PID 1), as sd_booted()
// tests it: /run/systemd/system/ exists. Containers, CI and the demo answer no.
bool systemdIsServiceManager();

}  // namespace daemonlet::systemd
