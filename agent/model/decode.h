#pragma once
// Decodes JSON objects into the typed model. Type mismatches are errors with
// their field path; fields the model does not know are kept in `raw` and reported
// as warnings, the way kubectl warns about unknown fields.
#include <string>
#include <vector>

#include "agent/model/diagnostic.h"
#include "agent/model/document_reader.h"
#include "agent/model/types.h"

namespace daemonlet::model {

struct DecodedDaemonSet {
  DaemonSet daemonSet;
  Diagnostics errors;    // non-empty means daemonSet must not be used
  Diagnostics warnings;  // unknown fields
};

// `document.object` must be an apps/v1 DaemonSet (checked: apiVersion and kind).
// Old group versions (extensions/v1beta1, apps/v1beta2) are an error saying
// apps/v1 is required.
DecodedDaemonSet decodeDaemonSet(const Document& document);

// A core/v1 Node (metadata.name, metadata.labels, spec.taints, spec.unschedulable).
struct DecodedNode {
  Node node;
  Diagnostics errors;
  Diagnostics warnings;
};
DecodedNode decodeNode(const Document& document);

// What a file holds once read and decoded: its DaemonSets, the documents of other
// kinds (reported by name and skipped) and every problem found.
struct DecodedFile {
  std::vector<DaemonSet> daemonSets;  // decoded without errors, defaults applied
  std::vector<std::string> skipped;   // "v1/ConfigMap kube-system/foo (document 3)"
  Diagnostics errors;
  Diagnostics warnings;
};
// Reads, decodes and defaults every DaemonSet in `content` (no validation).
DecodedFile decodeFile(std::string_view content, const std::string& fileName);

}  // namespace daemonlet::model
