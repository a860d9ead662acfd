// CRI log files read as kubectl logs shows them: partial entries joined,
// rotations in order, tail, since, timestamps, limitBytes.
#include "agent/kubeapi/cri_log_files.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "agent/base/rfc3339.h"

namespace daemonlet::kubeapi {
namespace {

namespace fs = std::filesystem;

class CriLogFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kubeapi-logs-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    write("0.log.20260101-000000", "2026-01-01T00:00:01.5Z stdout F one\n2026-01-01T00:00:02Z stderr P tw\n");
    write("0.log", "2026-01-01T00:00:03Z stderr F o\n2026-01-01T00:00:04Z stdout F three\n");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  std::string read(const LogOptions& options) { return readLogs(logFilesOf((dir_ / "0.log").string()), options); }

  fs::path dir_;
};

TEST_F(CriLogFilesTest, RotationsInOrderAndPartialLinesJoined) {
  EXPECT_EQ(read({}), "one\ntwo\nthree\n");
}

TEST_F(CriLogFilesTest, Options) {
  LogOptions tail;
  tail.tailLines = 2;
  EXPECT_EQ(read(tail), "two\nthree\n");
  LogOptions stamped;
  stamped.timestamps = true;
  stamped.tailLines = 1;
  EXPECT_EQ(read(stamped), "2026-01-01T00:00:04Z three\n");
  LogOptions since;
  since.since = base::parseRfc3339("2026-01-01T00:00:02Z");
  EXPECT_EQ(read(since), "two\nthree\n") << "a joined line counts from its first piece";
  LogOptions limited;
  limited.limitBytes = 5;
  EXPECT_EQ(read(limited), "one\nt");
}

TEST(CriLogParserTest, KeepsAnUnfinishedEntryUntilItsNewline) {
  CriLogParser parser({});
  std::vector<std::string> lines;
  parser.feed("2026-01-01T00:00:01Z stdout F hel", lines);
  EXPECT_TRUE(lines.empty());
  parser.feed("lo\n", lines);
  EXPECT_EQ(lines, std::vector<std::string>{"hello\n"});
}

}  // namespace
}  // namespace daemonlet::kubeapi
