// CriLogWriter on a temp file: line framing, the 16 KiB split, rotation.
#include "runtime/process/cri_log_writer.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace daemonlet::runtime::process {
namespace {

class CriLogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/daemonlet-crilog-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/c/0.log";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<std::string> logLines() const {
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  // "<time> <stream> <tag> <content>" without the time.
  static std::string body(const std::string& line) { return line.substr(line.find(' ') + 1); }

  std::string dir_;
  std::string path_;
};

TEST_F(CriLogWriterTest, FramesLinesPerStream) {
  CriLogWriter writer(path_, 0, 5);
  ASSERT_TRUE(writer.open().has_value());
  writer.append(CriLogWriter::Stream::kStdout, "one\ntw");
  writer.append(CriLogWriter::Stream::kStderr, "oops\n");
  writer.append(CriLogWriter::Stream::kStdout, "o\n\nthree");
  writer.finish(CriLogWriter::Stream::kStdout);
  writer.finish(CriLogWriter::Stream::kStderr);
  auto lines = logLines();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(body(lines[0]), "stdout F one");
  EXPECT_EQ(body(lines[1]), "stderr F oops");
  EXPECT_EQ(body(lines[2]), "stdout F two");
  EXPECT_EQ(body(lines[3]), "stdout F ");
  EXPECT_EQ(body(lines[4]), "stdout P three");
}

TEST_F(CriLogWriterTest, SplitsLongLinesIntoPartialPieces) {
  CriLogWriter writer(path_, 0, 5);
  ASSERT_TRUE(writer.open().has_value());
  std::string longLine(CriLogWriter::kMaxLineBytes * 2 + 10, 'x');
  writer.append(CriLogWriter::Stream::kStdout, longLine + "\n");
  auto lines = logLines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(body(lines[0]), "stdout P " + std::string(CriLogWriter::kMaxLineBytes, 'x'));
  EXPECT_EQ(body(lines[1]), "stdout P " + std::string(CriLogWriter::kMaxLineBytes, 'x'));
  EXPECT_EQ(body(lines[2]), "stdout F " + std::string(10, 'x'));
}

TEST_F(CriLogWriterTest, RotatesAndKeepsAtMostMaxFiles) {
  CriLogWriter writer(path_, 1000, 3);
  ASSERT_TRUE(writer.open().has_value());
  for (int i = 0; i < 200; ++i) writer.append(CriLogWriter::Stream::kStdout, "line " + std::to_string(i) + "\n");
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/c")) {
    names.push_back(entry.path().filename().string());
    EXPECT_LE(std::filesystem::file_size(entry.path()), 1000u);
  }
  ASSERT_EQ(names.size(), 3u);
  auto lines = logLines();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(body(lines.back()), "stdout F line 199");
}

TEST(Rfc3339NanoTest, MatchesGoFormatting) {
  struct Case {
    std::int64_t unixNano;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {0, "1970-01-01T00:00:00Z"},
      {1'700'000'000'123'456'789, "2023-11-14T22:13:20.123456789Z"},
      {1'700'000'000'120'000'000, "2023-11-14T22:13:20.12Z"},
      {1'700'000'000'000'000'001, "2023-11-14T22:13:20.000000001Z"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expected);
    EXPECT_EQ(formatRfc3339Nano(c.unixNano), c.expected);
  }
}

}  // namespace
}  // namespace daemonlet::runtime::process
