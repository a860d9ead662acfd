// Where a process sits in each cgroup hierarchy, from /proc/<pid>/cgroup and
// mountinfo as hybrid, unified and container hosts write them.
#include "runtime/process/cgroup_membership.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace daemonlet::runtime::process {
namespace {

// A Debian hybrid host (systemd 252): controllers on v1, the unified hierarchy
// mounted without controllers at /sys/fs/cgroup/unified.
constexpr const char* kHybridMounts =
    "31 23 0:28 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
    "33 31 0:30 / /sys/fs/cgroup/systemd rw,nosuid - cgroup cgroup rw,xattr,name=systemd\n"
    "34 31 0:31 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n"
    "35 31 0:32 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
    "36 31 0:33 / /sys/fs/cgroup/freezer rw,nosuid - cgroup cgroup rw,freezer\n";

TEST(CgroupMembershipTest, HybridHostGivesEveryHierarchysDirectory) {
  const char* scope = "/daemonlet.slice/daemonlet-pod-u1.scope";
  std::string cgroups = std::string("5:freezer:/\n4:cpu,cpuacct:") + scope + "\n3:memory:" + scope +
                        "\n1:name=systemd:" + scope + "\n0::" + scope + "\n";
  auto dirs = cgroupDirectoriesFromText(cgroups, kHybridMounts);
  ASSERT_EQ(dirs.size(), 5u);
  EXPECT_EQ(dirs[0].path, "/sys/fs/cgroup/freezer");
  EXPECT_EQ(dirs[1].hierarchy, "cpu,cpuacct");
  EXPECT_EQ(dirs[1].path, std::string("/sys/fs/cgroup/cpu,cpuacct") + scope);
  EXPECT_EQ(dirs[2].path, std::string("/sys/fs/cgroup/memory") + scope);
  EXPECT_EQ(dirs[3].path, std::string("/sys/fs/cgroup/systemd") + scope);
  EXPECT_EQ(dirs[4].hierarchy, "");
  EXPECT_EQ(dirs[4].path, std::string("/sys/fs/cgroup/unified") + scope);
}

TEST(CgroupMembershipTest, UnifiedHostHasOneDirectory) {
  auto dirs = cgroupDirectoriesFromText("0::/daemonlet.slice/daemonlet-shim.scope\n",
                                        "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n");
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_EQ(dirs[0].path, "/sys/fs/cgroup/daemonlet.slice/daemonlet-shim.scope");
}

// A container whose cgroup mount shows only its own subtree (mount root not "/").
TEST(CgroupMembershipTest, MountOfASubtreeMapsPathsInsideItAndSkipsOthers) {
  const char* mounts = "40 30 0:36 /machine.slice/c1 /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
  auto dirs = cgroupDirectoriesFromText("3:memory:/machine.slice/c1/daemonlet.slice/x.scope\n", mounts);
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_EQ(dirs[0].path, "/sys/fs/cgroup/memory/daemonlet.slice/x.scope");
  EXPECT_TRUE(cgroupDirectoriesFromText("3:memory:/elsewhere\n", mounts).empty());
  EXPECT_TRUE(cgroupDirectoriesFromText("7:pids:/\n", mounts).empty()) << "an unmounted hierarchy is left out";
}

TEST(CgroupMembershipTest, OwnProcessIsReadFromTheLiveSystem) {
  auto dirs = cgroupDirectoriesOf(::getpid());
  ASSERT_TRUE(dirs.has_value()) << dirs.error().describe();
  EXPECT_FALSE(dirs->empty());
  for (const auto& dir : *dirs) EXPECT_EQ(dir.path.rfind("/sys/fs/cgroup", 0), 0u) << dir.path;
}

}  // namespace
}  // namespace daemonlet::runtime::process
