// Every real-world manifest through the real binary: the exit code and, for an
// invalid one, the field path must match expectations.tsv. Each run must finish
// well within 5 s: a crash and hang guard, not a benchmark.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test/integration/support/run_command.h"

namespace daemonlet {
namespace {

const std::string kBinary = DAEMONLET_BINARY;
const std::string kCorpus = DAEMONLET_REALWORLD_DIR;
const std::string kExpectations = DAEMONLET_REALWORLD_EXPECTATIONS;
constexpr auto kTimeLimit = std::chrono::seconds(5);

struct Expectation {
  std::string file;
  int exitCode = 0;
  std::string fieldPath;  // substring stderr must contain; empty for valid files
  std::string reason;
};

// TSV: file, exit code, field-path substring ("-" when valid), reason. '#' starts a comment line.
std::vector<Expectation> loadExpectations() {
  std::vector<Expectation> rows;
  std::ifstream in(kExpectations);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> columns;
    std::stringstream fields(line);
    std::string column;
    while (std::getline(fields, column, '\t')) columns.push_back(column);
    if (columns.size() < 3) {
      ADD_FAILURE() << "malformed expectations row: " << line;
      continue;
    }
    Expectation row;
    row.file = columns[0];
    row.exitCode = std::stoi(columns[1]);
    row.fieldPath = columns[2] == "-" ? "" : columns[2];
    row.reason = columns.size() > 3 ? columns[3] : "";
    rows.push_back(row);
  }
  return rows;
}

TEST(Realworld, ExpectationsCoverEveryCorpusFileExactlyOnce) {
  std::set<std::string> onDisk;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus)) {
    onDisk.insert(entry.path().filename().string());
  }
  EXPECT_EQ(onDisk.size(), 54u);
  std::set<std::string> listed;
  for (const Expectation& row : loadExpectations()) {
    EXPECT_TRUE(listed.insert(row.file).second) << "listed twice: " << row.file;
    EXPECT_TRUE(onDisk.count(row.file)) << "not in the corpus: " << row.file;
    if (row.exitCode != 0) {
      EXPECT_FALSE(row.reason.empty()) << "invalid verdict without a reason: " << row.file;
    }
  }
  for (const std::string& file : onDisk) EXPECT_TRUE(listed.count(file)) << "no expectation for " << file;
}

TEST(Realworld, ValidateMatchesTheExpectedVerdict) {
  const std::vector<Expectation> rows = loadExpectations();
  ASSERT_FALSE(rows.empty());
  for (const Expectation& row : rows) {
    SCOPED_TRACE(row.file + (row.reason.empty() ? "" : " (" + row.reason + ")"));
    const testing::CommandResult r =
        testing::runCommand({kBinary, "validate", "--quiet", kCorpus + "/" + row.file}, {}, kTimeLimit * 2);
    EXPECT_FALSE(r.timedOut);
    EXPECT_EQ(r.signal, 0) << "killed by signal";
    EXPECT_LT(r.elapsed, kTimeLimit);
    EXPECT_EQ(r.exitCode, row.exitCode) << "stdout:\n" << r.out << "stderr:\n" << r.err;
    if (!row.fieldPath.empty()) {
      EXPECT_NE(r.err.find(row.fieldPath), std::string::npos) << "stderr lacks \"" << row.fieldPath << "\":\n"
                                                              << r.err;
    }
  }
}

}  // namespace
}  // namespace daemonlet
