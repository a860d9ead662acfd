#pragma once
// Shared by the cache, merge and desired-set tests: a private temporary directory
// and the two sources' snapshots built from manifest text.
#include <gtest/gtest.h>
#include <string>
#include <utility>
#include <vector>

#include "agent/sources/endpoint_snapshot.h"
#include "agent/sources/manifest_set.h"
#include "test/support/temp_dir.h"

namespace daemonlet::sources::testing {

using daemonlet::testing::TempDir;

// The manifest directory's snapshot of `files` (path, content).
inline SourceSnapshot manifestSnapshot(const std::vector<std::pair<std::string, std::string>>& files) {
  ManifestSet set;
  std::vector<FileReading> input;
  for (const auto& [path, content] : files) input.push_back({path, content, {}});
  set.update(input);
  return set.snapshot();
}

// The endpoint's snapshot of `body` as read from `url` (the body must be well-formed).
inline EndpointSnapshot endpointSnapshotOf(const std::string& body, const std::string& url) {
  auto accepted = acceptEndpointBody(body, url, nullptr);
  EXPECT_TRUE(accepted) << accepted.error().describe();
  return accepted ? *accepted : EndpointSnapshot{};
}

}  // namespace daemonlet::sources::testing
