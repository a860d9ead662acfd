#pragma once
// UnitManager over the system bus with libsystemd's sd-bus, opened with dlopen
// (as notifier.cpp does) only when systemd is the service manager.
//
// Threading: one bus connection, not thread-safe; the owner calls it from one
// thread (the host runtime's io_context).
#include <memory>

#include "systemd/unit_manager.h"

namespace daemonlet::systemd {

class SdBusUnitManager final : public UnitManager {
 public:
  // Connects to the system bus; an error names why (no libsystemd, no bus).
  // `layout`: how the host mounts cgroups (the caller looks: cgroup_v2.h).
  static base::Result<std::unique_ptr<SdBusUnitManager>> connect(CgroupLayout layout);
  ~SdBusUnitManager() override;
  SdBusUnitManager(const SdBusUnitManager&) = delete;
  SdBusUnitManager& operator=(const SdBusUnitManager&) = delete;

  CgroupLayout layout() const override { return layout_; }
  base::Status startScope(const ScopeRequest& request) override;
  base::Status attachProcesses(const std::string& unit, const std::vector<pid_t>& pids) override;
  base::Status stopUnit(const std::string& unit) override;

  struct Bus;

 private:
  SdBusUnitManager(std::unique_ptr<Bus> bus, CgroupLayout layout);

  std::unique_ptr<Bus> bus_;
  CgroupLayout layout_;
};

}  // namespace daemonlet::systemd
