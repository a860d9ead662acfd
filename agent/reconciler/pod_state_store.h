#pragma once
// Persists each PodState as <stateDir>/pods/<uid>.json, written atomically, so a
// restarted agent knows its pods' specs (also of older revisions), restart
// counts, backoff and pending deletions. The runtime's own records remain the
// authority on what runs: a missing or corrupt pod file costs history, never a
// duplicate (the reconciler rebuilds such pods from the runtime).
//
// Steady-clock times are stored as wall-clock times and mapped back on load.
//
// Durability: save() renames a complete file into place (a crash of the agent
// never leaves a torn or lost file) but does not fsync on the caller's thread:
// saves lie on the container start and restart paths, where two journal commits
// per save made restarts and cold starts several times slower
// than the classic supervisors (bench/README.md). A DeferredSync makes them
// durable within about a second, off the loop. What a power loss can cost is the
// last second of history (a restart count, a backoff step) of processes that died
// with the host anyway; a file lost or torn that way is read as corrupt, which
// costs history and never starts a duplicate (see above).
//
// When the reconciler saves (reconciler.cpp, saveAfterPass): a new pod and an
// exit are written after the pass that requests the starts they lead to, not
// before it, so no file write sits between a decision and its start request.
// An agent crash in between loses the file of a pod whose container may already
// run: adoption rebuilds that pod from the runtime's stamp (uid, DaemonSet,
// revision, restart count) and gets its spec back from the source, so it is
// adopted, not started twice; what is lost is the exact creation time.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "agent/base/atomic_file.h"
#include "agent/base/clock.h"
#include "agent/base/result.h"
#include "agent/reconciler/pod_state.h"
#include "agent/sources/source_snapshot.h"

namespace daemonlet::reconciler {

class PodStateStore {
 public:
  PodStateStore(std::filesystem::path directory, const base::Clock& clock);

  base::Status save(const PodState& pod) const;
  base::Status erase(const std::string& uid) const;
  // Blocks until every save so far is on disk (shutdown, tests).
  void flush() const;

  struct Loaded {
    std::vector<PodState> pods;
    // Files that could not be used: origin is the file, message names the field
    // and where the file went. A file that decodes but is wrong (bad JSON, a
    // wrong-typed field) is quarantined: renamed aside to "<file>.bad-<UTC time>"
    // so it is kept for a post-mortem, not read again, and not overwritten.
    // A file that cannot be read (EIO, EACCES: the agent's own trouble) is left
    // in place.
    std::vector<sources::SourceError> errors;
  };
  // Never fails as a whole and never throws: one bad record costs that pod's
  // history (the runtime's records still decide what runs), never the agent.
  Loaded loadAll() const;

 private:
  std::filesystem::path directory_;
  const base::Clock& clock_;
  std::unique_ptr<base::DeferredSync> sync_;
};

}  // namespace daemonlet::reconciler
