#pragma once
// What a source hands the reconciler: its whole current set of DaemonSets plus the
// problems it saw. A source never hands over "empty" because it failed: failed
// inputs keep their last good version and show up in `errors` instead.
#include <memory>
#include <string>
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::sources {

// A DaemonSet is immutable once decoded and validated, so every holder (a source's
// last good set, the merged snapshot, the reconciler, each pod of that revision)
// shares one instance instead of copying a few KiB per holder.
using SharedDaemonSet = std::shared_ptr<const model::DaemonSet>;

struct SourcedDaemonSet {
  SharedDaemonSet daemonSet;   // decoded, defaulted and validated; never null
  std::string revision;        // model::revisionHash of the template
  std::string origin;          // "file:/etc/daemonlet/manifests/x.yaml", "endpoint:https://..."
};

struct SourceError {
  std::string origin;   // the file or URL the error is about
  std::string message;  // one line: "FILE: document N: FIELD: message"
};

struct SourceSnapshot {
  std::vector<SourcedDaemonSet> daemonSets;
  std::vector<SourceError> errors;
  // Things worth showing that are not errors, e.g. an endpoint DaemonSet
  // overridden by a local manifest (source_merge.h). Same shape as errors.
  std::vector<SourceError> notices;
  // True when every configured source has settled (produced a snapshot, live or
  // cached). While false the set may lack DaemonSets that exist (an endpoint not
  // reached yet after a reboot that lost the cache): the reconciler then starts
  // and updates what it sees but stops nothing it does not see.
  bool complete = true;
};

}  // namespace daemonlet::sources
