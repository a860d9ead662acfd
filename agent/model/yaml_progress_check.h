#pragma once
// yaml-cpp 0.7's LoadAll can spin forever on some malformed streams (a stray ','
// at top level yields endless empty documents without consuming input). Every
// caller of LoadAll (manifests, endpoint bodies, the agent's configuration)
// walks the stream's events with this check first.
#include <yaml-cpp/mark.h>

#include <string>

namespace daemonlet::model {

// Where and why the stream cannot be loaded.
struct YamlStuck {
  YAML::Mark mark;
  std::string reason = "unexpected content";
};

// Walks the events of `text` once; throws YamlStuck when a document starts where
// the previous one did, or when there are more documents than the text could
// hold, and YAML::Exception on a syntax error. Cost: one event pass, no tree.
// Also throws YamlStuck on a NUL byte: YAML allows none, and yaml-cpp takes NULs
// near the start for UTF-16/32 and then yields invalid UTF-8 (which makes every
// later dump() of the document throw).
void checkYamlProgress(const std::string& text);

}  // namespace daemonlet::model
