// Every real-world manifest in the shared corpus must decode without crashing;
// whether each is valid is judged elsewhere (validation, CLI tests).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/model/decode.h"

namespace daemonlet::model {
namespace {

TEST(DecodeCorpusTest, RealWorldDaemonSetsDecode) {
  const std::filesystem::path dir = DAEMONLET_REALWORLD_DIR;
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "corpus not found at " << dir;
  std::size_t files = 0;
  std::size_t daemonSets = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    SCOPED_TRACE(entry.path().string());
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    const DecodedFile file = decodeFile(content.str(), entry.path().filename().string());
    ++files;
    daemonSets += file.daemonSets.size();
    for (const auto& error : file.errors) std::cout << "  error: " << error.format() << "\n";
    for (const auto& warning : file.warnings) std::cout << "  warning: " << warning.format() << "\n";
  }
  EXPECT_GT(files, 0u);
  EXPECT_GE(daemonSets, 1u);
  std::cout << files << " files, " << daemonSets << " DaemonSets decoded\n";
}

}  // namespace
}  // namespace daemonlet::model
