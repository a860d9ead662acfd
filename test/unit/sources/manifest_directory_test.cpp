#include "agent/sources/manifest_directory.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <optional>

#include <boost/asio/io_context.hpp>

namespace daemonlet::sources {
namespace {

namespace fs = std::filesystem;

std::string directoryDaemonSetYaml(const std::string& name, const std::string& image) {
  return "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: " + name +
         "\nspec:\n  selector:\n    matchLabels: {app: " + name + "}\n  template:\n    metadata:\n      labels: {app: " +
         name + "}\n    spec:\n      containers:\n      - name: main\n        image: " + image + "\n";
}

class ManifestDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/daemonlet-manifests-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name) << content;
  }

  // Runs the loop until a snapshot satisfying `done` arrives (or 5 s pass: a
  // hang guard, not a timing assertion).
  template <typename Pred>
  bool runUntil(boost::asio::io_context& io, Pred done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      io.run_for(std::chrono::milliseconds(20));
      if (last_ && done(*last_)) return true;
    }
    return false;
  }

  fs::path dir_;
  std::optional<SourceSnapshot> last_;
  int published_ = 0;
};

TEST(ManifestDirectoryNames, FiltersEditorFiles) {
  EXPECT_TRUE(ManifestDirectorySource::isManifestName("a.yaml"));
  EXPECT_TRUE(ManifestDirectorySource::isManifestName("a.yml"));
  EXPECT_TRUE(ManifestDirectorySource::isManifestName("a.json"));
  EXPECT_FALSE(ManifestDirectorySource::isManifestName(".a.yaml.swp"));
  EXPECT_FALSE(ManifestDirectorySource::isManifestName(".a.yaml"));
  EXPECT_FALSE(ManifestDirectorySource::isManifestName("a.yaml~"));
  EXPECT_FALSE(ManifestDirectorySource::isManifestName("#a.yaml#"));
  EXPECT_FALSE(ManifestDirectorySource::isManifestName("a.txt"));
}

TEST_F(ManifestDirectoryTest, PublishesInitialScanAndFollowsChanges) {
  write("a.yaml", directoryDaemonSetYaml("a", "img:1"));
  boost::asio::io_context io;
  ManifestDirectorySource source(io, {dir_, std::chrono::milliseconds(20), std::chrono::seconds(60)},
                                 [this](const SourceSnapshot& s) {
                                   last_ = s;
                                   ++published_;
                                 });
  source.start();
  ASSERT_TRUE(last_.has_value());
  ASSERT_EQ(last_->daemonSets.size(), 1u);

  // An atomic replace through a dot-named temporary, as editors and config
  // management do: the temp file itself must never be read.
  write(".a.yaml.tmp", directoryDaemonSetYaml("a", "img:2"));
  fs::rename(dir_ / ".a.yaml.tmp", dir_ / "a.yaml");
  std::string oldRevision = last_->daemonSets[0].revision;
  ASSERT_TRUE(runUntil(io, [&](const SourceSnapshot& s) {
    return s.daemonSets.size() == 1 && s.daemonSets[0].revision != oldRevision;
  }));

  write("b.yml", directoryDaemonSetYaml("b", "img:1"));
  ASSERT_TRUE(runUntil(io, [](const SourceSnapshot& s) { return s.daemonSets.size() == 2; }));

  fs::remove(dir_ / "a.yaml");
  ASSERT_TRUE(runUntil(io, [](const SourceSnapshot& s) { return s.daemonSets.size() == 1; }));
  EXPECT_EQ(last_->daemonSets[0].daemonSet->metadata.name, "b");
}

// With a debounce of an hour, only the prompt path can publish within the
// run's 5 s guard: complete files go that way, a file still open for writing does not.
TEST_F(ManifestDirectoryTest, CompleteFilesAreReadAtOnceAndOpenOnesWaitForTheirClose) {
  boost::asio::io_context io;
  ManifestDirectorySource source(io, {dir_, std::chrono::hours(1), std::chrono::seconds(3600)},
                                 [this](const SourceSnapshot& s) { last_ = s; });
  source.start();
  ASSERT_TRUE(last_.has_value());

  write(".b.yaml.tmp", directoryDaemonSetYaml("b", "img:1"));
  fs::rename(dir_ / ".b.yaml.tmp", dir_ / "b.yaml");
  ASSERT_TRUE(runUntil(io, [](const SourceSnapshot& s) { return s.daemonSets.size() == 1; }))
      << "a manifest renamed into place waited for the debounce";

  write("c.yaml", directoryDaemonSetYaml("c", "img:1"));  // created, written, closed
  ASSERT_TRUE(runUntil(io, [](const SourceSnapshot& s) { return s.daemonSets.size() == 2; }))
      << "a manifest written and closed waited for the debounce";

  {
    std::ofstream partial(dir_ / "d.yaml");
    partial << directoryDaemonSetYaml("d", "img:1");
    partial.flush();  // written, still open: the writer may not be done
    io.run_for(std::chrono::milliseconds(300));
    EXPECT_EQ(last_->daemonSets.size(), 2u) << "a file still open for writing was read";
  }
  ASSERT_TRUE(runUntil(io, [](const SourceSnapshot& s) { return s.daemonSets.size() == 3; }))
      << "closing the file did not publish it";

  fs::remove(dir_ / "b.yaml");
  ASSERT_TRUE(runUntil(io, [](const SourceSnapshot& s) { return s.daemonSets.size() == 2; }))
      << "a deletion waited for the debounce";
}

TEST_F(ManifestDirectoryTest, BadEditKeepsLastGoodAndReportsError) {
  write("a.yaml", directoryDaemonSetYaml("a", "img:1"));
  boost::asio::io_context io;
  ManifestDirectorySource source(io, {dir_, std::chrono::milliseconds(20), std::chrono::seconds(60)},
                                 [this](const SourceSnapshot& s) { last_ = s; });
  source.start();
  write("a.yaml", "kind: DaemonSet\n  : : broken\n");
  ASSERT_TRUE(runUntil(io, [](const SourceSnapshot& s) { return !s.errors.empty(); }));
  ASSERT_EQ(last_->daemonSets.size(), 1u);
  EXPECT_EQ(last_->daemonSets[0].daemonSet->spec.template_.spec.containers.at(0).image, "img:1");
}

TEST_F(ManifestDirectoryTest, MissingDirectoryIsEmptyUntilCreated) {
  fs::path missing = dir_ / "later";
  boost::asio::io_context io;
  ManifestDirectorySource source(io, {missing, std::chrono::milliseconds(20), std::chrono::seconds(1)},
                                 [this](const SourceSnapshot& s) { last_ = s; });
  source.start();
  ASSERT_TRUE(last_.has_value());
  EXPECT_TRUE(last_->daemonSets.empty());
  fs::create_directory(missing);
  std::ofstream(missing / "a.yaml") << directoryDaemonSetYaml("a", "img:1");
  ASSERT_TRUE(runUntil(io, [](const SourceSnapshot& s) { return s.daemonSets.size() == 1; }));
}

}  // namespace
}  // namespace daemonlet::sources
