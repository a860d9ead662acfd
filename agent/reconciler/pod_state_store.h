#pragma once
// Persists each PodState as <stateDir>/pods/<uid>.json, written atomically, so a
// restarted agent knows its pods' specs (also of older revisions), restart
// counts, backoff and pending deletions. The runtime's own records remain the
// authority on what runs: a missing or corrupt pod file costs history, never a
// duplicate (the reconciler rebuilds such pods from the runtime).
//
// Steady-clock times are stored as wall-clock times and mapped back on load.
#include <filesystem>
#include <string>
#include <vector>

#include "agent/base/clock.h"
#include "agent/base/result.h"
#include "agent/reconciler/pod_state.h"

namespace daemonlet::reconciler {

class PodStateStore {
 public:
  PodStateStore(std::filesystem::path directory, const base::Clock& clock);

  base::Status save(const PodState& pod) const;
  base::Status erase(const std::string& uid) const;

  struct Loaded {
    std::vector<PodState> pods;
    std::vector<std::string> errors;  // "<file>: <why>" for files that could not be used
  };
  Loaded loadAll() const;

 private:
  std::filesystem::path directory_;
  const base::Clock& clock_;
};

}  // namespace daemonlet::reconciler
