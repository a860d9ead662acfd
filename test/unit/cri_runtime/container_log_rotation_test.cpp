#include "runtime/cri/container_log_rotation.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace daemonlet::runtime::cri {
namespace {

namespace fs = std::filesystem;

class ContainerLogRotation : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cri-log-rotation-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "0.log").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(std::size_t bytes) { std::ofstream(path_, std::ios::app) << std::string(bytes, 'x'); }
  std::size_t fileCount() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(ContainerLogRotation, RotatesOverTheLimitAndKeepsMaxFiles) {
  LogRotationLimits limits{100, 3};
  EXPECT_FALSE(logNeedsRotation(path_, limits)) << "no file yet";
  write(100);
  EXPECT_FALSE(logNeedsRotation(path_, limits));
  write(1);
  EXPECT_TRUE(logNeedsRotation(path_, limits));
  base::WallTime now{std::chrono::seconds(1'700'000'000)};
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(rotateLogFile(path_, limits, now + std::chrono::seconds(i)));
    write(101);  // what the container writes after the reopen
  }
  EXPECT_EQ(fileCount(), 3u) << "the live file and the two newest rotated ones";
  EXPECT_TRUE(fs::exists(path_));
  EXPECT_TRUE(fs::exists(path_ + ".20231114-221323.000000000"));
  EXPECT_FALSE(fs::exists(path_ + ".20231114-221321.000000000")) << "the oldest went first";
}

TEST_F(ContainerLogRotation, MissingFileIsAnError) { EXPECT_FALSE(rotateLogFile(path_, {}, base::WallTime{})); }

}  // namespace
}  // namespace daemonlet::runtime::cri
