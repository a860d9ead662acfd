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
};

}  // namespace daemonlet::sources
