// cgroup v2 placement on the real host. Needs root; uses the host's cgroup2
// mount (/sys/fs/cgroup on v2 hosts, /sys/fs/cgroup/unified on hybrid ones) and,
// on a cgroup v1 host, mounts a private cgroup2 hierarchy for the test (the
// unified hierarchy always exists; without the v1-bound controllers it has no
// limit knobs, but placement, membership and cgroup.kill work). Skipped, with
// the reason, only when not run as root.
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "agent/base/atomic_file.h"
#include "runtime/process/file_io.h"
#include "runtime/process/cgroup_v2.h"
#include "runtime/process/container_record.h"
#include "runtime/process/proc_fs.h"
#include "runtime_fixture.h"

namespace daemonlet::runtime::process::testing {
namespace {

std::string writableCgroup2Mount() {
  for (const char* candidate : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    if (isCgroup2(candidate) && ::access(candidate, W_OK) == 0) return candidate;
  }
  return {};
}

class CgroupTest : public ProcessRuntimeTest {
 protected:
  void SetUp() override {
    ProcessRuntimeTest::SetUp();
    if (::geteuid() != 0) GTEST_SKIP() << "cgroup placement needs root";
    mount_ = writableCgroup2Mount();
    if (mount_.empty()) {
      privateMount_ = root_ + "/cgroup2";
      std::filesystem::create_directories(privateMount_);
      ASSERT_EQ(::mount("none", privateMount_.c_str(), "cgroup2", 0, nullptr), 0)
          << "cannot mount a cgroup2 hierarchy: " << std::strerror(errno);
      mount_ = privateMount_;
    }
    options_.cgroupRoot = mount_ + "/daemonlet-test-" + std::to_string(std::random_device{}());
  }
  void TearDown() override {
    std::string cgroupRoot = options_.cgroupRoot;
    runtime_.reset();
    for (pid_t group : groups_) ::kill(-group, SIGKILL);
    if (!cgroupRoot.empty()) {
      // Killed processes leave their cgroup asynchronously.
      for (int attempt = 0; attempt < 100 && std::filesystem::exists(cgroupRoot); ++attempt) {
        (void)removePodCgroups(cgroupRoot, pod().uid);
        ::rmdir(cgroupRoot.c_str());
        if (std::filesystem::exists(cgroupRoot)) ::usleep(10'000);
      }
    }
    if (!privateMount_.empty()) ::umount2(privateMount_.c_str(), MNT_DETACH);
    ProcessRuntimeTest::TearDown();  // removes the temp dir, mount point included
  }
  std::string mount_;
  std::string privateMount_;
};

TEST_F(CgroupTest, ContainerRunsInItsOwnCgroupWithItsLimits) {
  makeRuntime();
  auto request = helper({"sleep"});
  request.limits.memoryBytes = 64 << 20;
  request.limits.cpuMillis = 250;
  ContainerStatus started = startOk(request);
  const std::string leaf = options_.cgroupRoot + "/" + pod().uid + "/main";
  EXPECT_EQ(mount_ + cgroupV2PathOf(started.pid), leaf) << "placed before exec";
  // Hybrid hosts keep memory and cpu on v1: the knobs are then missing and the
  // limits are not applied (a warning says so).
  if (std::filesystem::exists(leaf + "/memory.max")) {
    EXPECT_EQ(readFile(leaf + "/memory.max"), std::to_string(64 << 20) + "\n");
    EXPECT_EQ(readFile(leaf + "/cpu.max"), "25000 100000\n");
  }

  // A record whose live pid sits outside the recorded cgroup is not adopted.
  auto self = readProcStat(::getpid());
  ContainerRecord outsider;
  outsider.id = makeRecordId("other-pod", "main", 0);
  outsider.pod.uid = "other-pod";
  outsider.containerName = "main";
  outsider.pid = ::getpid();
  outsider.pidStartTime = self->startTime;
  outsider.bootId = currentBootId();
  outsider.cgroupPath = leaf;
  outsider.cgroupMembership = cgroupV2PathOf(started.pid);
  ASSERT_TRUE(base::writeFileAtomically(recordPath(options_.stateDir, outsider.id), encodeRecord(outsider), 0600).has_value());

  makeRuntime();
  auto listed = listAll();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 2u);
  for (const auto& status : *listed) {
    SCOPED_TRACE(status.pod.uid);
    EXPECT_EQ(status.state, status.pod.uid == pod().uid ? ContainerState::kRunning : ContainerState::kExited);
  }

  std::optional<ContainerStatus> stopped;
  ASSERT_TRUE(runtime_->stop(started.containerId, std::chrono::seconds(5),
                             [&](const ContainerStatus& s) { stopped = s; }).has_value());
  ASSERT_TRUE(runUntil([&] { return stopped.has_value(); }));
  EXPECT_EQ(stopped->reason, "Error");
  ASSERT_TRUE(runUntil([&] { return readFile(leaf + "/cgroup.procs").empty(); }));
  ASSERT_TRUE(runtime_->removePod(pod().uid).has_value());
  EXPECT_FALSE(std::filesystem::exists(options_.cgroupRoot + "/" + pod().uid));
}

// The shim kills a container's cgroup when its main process exits and leaves
// a process behind. On this kernel a child cloned into a cgroup that was ever
// killed is SIGKILLed at birth, so the next start there must still run: the
// shim sees the child never ran and joins it by cgroup.procs instead.
TEST_F(CgroupTest, RestartIntoACgroupKilledBeforeRuns) {
  makeRuntime();
  const std::string leaf = options_.cgroupRoot + "/" + pod().uid + "/main";
  auto leaving = helper({"escape", "1", "exit"});
  ContainerStatus first = startOk(leaving);
  ASSERT_TRUE(runUntil([&] { return !exits_.empty(); }));
  EXPECT_EQ(exits_.front().exitCode, 1);
  // The escaped process was killed with the cgroup (cgroup.kill).
  ASSERT_TRUE(runUntil([&] { return readFile(leaf + "/cgroup.procs").empty(); }));

  for (int restart = 1; restart <= 2; ++restart) {
    SCOPED_TRACE(restart);
    auto again = helper({"spawn-child"});
    again.restartCount = restart;
    ContainerStatus started = startOk(again);
    ASSERT_EQ(started.state, ContainerState::kRunning);
    // It ran its own code (a child killed at birth prints nothing) and sits in
    // the container's cgroup.
    ASSERT_TRUE(waitForLog(started.logPath, "child="));
    EXPECT_EQ(mount_ + cgroupV2PathOf(started.pid), leaf);
    std::optional<ContainerStatus> stopped;
    ASSERT_TRUE(runtime_->stop(started.containerId, std::chrono::seconds(5),
                               [&](const ContainerStatus& s) { stopped = s; }).has_value());
    ASSERT_TRUE(runUntil([&] { return stopped.has_value(); }));
    ASSERT_TRUE(runUntil([&] { return readFile(leaf + "/cgroup.procs").empty(); }));
  }
  (void)first;
}

}  // namespace
}  // namespace daemonlet::runtime::process::testing
