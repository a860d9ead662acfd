#pragma once
// Shared by the cache, merge and desired-set tests: a private temporary directory
// and the two sources' snapshots built from manifest text.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "agent/sources/endpoint_snapshot.h"
#include "agent/sources/manifest_set.h"

namespace daemonlet::sources::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "source_merge_test.XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

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
