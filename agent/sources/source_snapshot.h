#pragma once
// What a source hands the reconciler: its whole current set of DaemonSets plus the
// problems it saw. A source never hands over "empty" because it failed: failed
// inputs keep their last good version and show up in `errors` instead.
#include <string>
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::sources {

struct SourcedDaemonSet {
  model::DaemonSet daemonSet;  // decoded, defaulted and validated
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
