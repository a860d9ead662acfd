// Mount propagation against the host's mounts: which mountinfo entry holds a
// path, and the refusal that names the volumeMount's field when the host mount
// cannot propagate as asked.
#include "runtime/cri/host_mount_propagation.h"

#include <gtest/gtest.h>

#include "runtime/cri/proto/api.pb.h"

namespace daemonlet::runtime::cri {
namespace {

namespace v1 = ::runtime::v1;

// / private, /sys shared, /var/lib a slave, a path with a space, and /mnt/x
// mounted twice (the later one, shared, is on top).
constexpr const char* kMountInfo =
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
    "23 27 0:22 / /sys rw,relatime shared:5 - sysfs sysfs rw\n"
    "40 27 0:30 / /var/lib rw master:7 - ext4 /dev/vdb rw\n"
    "41 27 0:31 / /srv/with\\040space rw shared:9 - tmpfs tmpfs rw\n"
    "42 27 0:32 / /mnt/x rw - tmpfs tmpfs rw\n"
    "43 42 0:33 / /mnt/x rw shared:11 - tmpfs tmpfs rw\n";

TEST(MountHoldingTest, LongestWholeComponentPrefixWins) {
  struct Case {
    const char* path;
    const char* mountPoint;
    bool shared, slave;
  } cases[] = {
      {"/", "/", false, false},
      {"/etc/hosts", "/", false, false},
      {"/sys", "/sys", true, false},
      {"/sys/fs/bpf", "/sys", true, false},
      {"/system", "/", false, false},  // not under /sys
      {"/var/lib/kubelet", "/var/lib", false, true},
      {"/srv/with space/data", "/srv/with space", true, false},
      {"/mnt/x/y", "/mnt/x", true, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    const auto mount = mountHolding(kMountInfo, c.path);
    ASSERT_TRUE(mount.has_value());
    EXPECT_EQ(mount->mountPoint, c.mountPoint);
    EXPECT_EQ(mount->shared, c.shared);
    EXPECT_EQ(mount->slave, c.slave);
  }
  EXPECT_FALSE(mountHolding("", "/x").has_value());
}

v1::Mount mountOf(const std::string& hostPath, v1::MountPropagation propagation) {
  v1::Mount mount;
  mount.set_host_path(hostPath);
  mount.set_propagation(propagation);
  return mount;
}

TEST(HostPropagationTest, RefusalNamesTheMountAndTheHostMount) {
  model::PodSpec spec;
  spec.initContainers.emplace_back().name = "setup";
  spec.containers.emplace_back().name = "first";
  model::Container& plugin = spec.containers.emplace_back();
  plugin.name = "plugin";
  plugin.volumeMounts.resize(2);
  struct Case {
    const char* hostPath;
    v1::MountPropagation propagation;
    const char* errorField;  // "" = allowed
  } cases[] = {
      {"/etc", v1::PROPAGATION_PRIVATE, ""},
      {"/sys/fs", v1::PROPAGATION_BIDIRECTIONAL, ""},
      {"/sys/fs", v1::PROPAGATION_HOST_TO_CONTAINER, ""},
      {"/var/lib/kubelet", v1::PROPAGATION_HOST_TO_CONTAINER, ""},
      {"/var/lib/kubelet", v1::PROPAGATION_BIDIRECTIONAL, "spec.containers[1].volumeMounts[1].mountPropagation"},
      {"/opt/data", v1::PROPAGATION_HOST_TO_CONTAINER, "spec.containers[1].volumeMounts[1].mountPropagation"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.hostPath);
    const std::vector<v1::Mount> mounts = {mountOf("/etc", v1::PROPAGATION_PRIVATE), mountOf(c.hostPath, c.propagation)};
    const auto checked = checkHostPropagation(spec, plugin, mounts, kMountInfo);
    if (std::string(c.errorField).empty()) {
      EXPECT_TRUE(checked.has_value()) << checked.error().describe();
      continue;
    }
    ASSERT_FALSE(checked.has_value());
    EXPECT_EQ(checked.error().context, c.errorField);
    EXPECT_NE(checked.error().message.find("mount --make-rshared"), std::string::npos) << checked.error().message;
  }
  // Nothing to read the host's mounts from: nothing is refused (containerd still checks).
  const std::vector<v1::Mount> mounts = {mountOf("/etc", v1::PROPAGATION_PRIVATE),
                                         mountOf("/opt", v1::PROPAGATION_BIDIRECTIONAL)};
  EXPECT_TRUE(checkHostPropagation(spec, plugin, mounts, "").has_value());
}

}  // namespace
}  // namespace daemonlet::runtime::cri
