// A pod's volumes on the node: hostPath type checks, emptyDir directories,
// and a reason naming the field for every volume kind a static node lacks.
#include "runtime/cri/pod_volumes.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "runtime/cri/proto/api.pb.h"

namespace daemonlet::runtime::cri {
namespace {

namespace fs = std::filesystem;

class PodVolumesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cri_volumes_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "host");
    { std::ofstream(dir_ / "host" / "file") << "x"; }
  }
  void TearDown() override { fs::remove_all(dir_); }

  static model::Volume hostPath(const std::string& name, const std::string& path, const std::string& type) {
    model::Volume v;
    v.name = name;
    v.hostPath = model::HostPathVolumeSource{path, type};
    v.sourceKinds = {"hostPath"};
    return v;
  }
  std::string host(const std::string& name) const { return (dir_ / "host" / name).string(); }
  std::string hostDir() const { return (dir_ / "host").string(); }

  fs::path dir_;
};

TEST_F(PodVolumesTest, HostPathTypeChecks) {
  // A socket to check "Socket" against.
  const std::string socketPath = host("sock");
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socketPath.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << socketPath;
  ::close(fd);

  struct Row {
    std::string path;
    const char* type;
    const char* error;  // null: accepted
  };
  const std::vector<Row> rows = {
      {host("missing"), "", nullptr},
      {host(""), "Directory", nullptr},
      {host("file"), "Directory", "is not a directory"},
      {host("missing"), "Directory", "is not a directory"},
      {host("made/deep"), "DirectoryOrCreate", nullptr},
      {host("file"), "DirectoryOrCreate", "is not a directory"},
      {host("file"), "File", nullptr},
      {host(""), "File", "is not a file"},
      {host("newfile"), "FileOrCreate", nullptr},
      {host(""), "FileOrCreate", "is not a file"},
      {socketPath, "Socket", nullptr},
      {host("file"), "Socket", "is not a socket file"},
      {"/dev/null", "CharDevice", nullptr},
      {host("file"), "CharDevice", "is not a character device"},
      {"/dev/null", "BlockDevice", "is not a block device"},
      {host("file"), "Dir", "is an invalid volume type"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.path + " " + row.type);
    model::PodSpec spec;
    spec.volumes = {hostPath("other", host(""), ""), hostPath("v", row.path, row.type)};
    auto volumes = preparePodVolumes(spec, "uid-1", (dir_ / "state").string());
    if (!row.error) {
      ASSERT_TRUE(volumes) << volumes.error().describe();
      EXPECT_EQ(volumes->byName.at("v").hostPath, row.path);
      EXPECT_FALSE(volumes->byName.at("v").emptyDir);
      continue;
    }
    ASSERT_FALSE(volumes);
    EXPECT_EQ(volumes.error().context, "spec.volumes[1].hostPath.type");
    EXPECT_NE(volumes.error().message.find(row.error), std::string::npos) << volumes.error().message;
  }
  struct stat st {};
  ASSERT_EQ(::stat(host("made/deep").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  ASSERT_EQ(::stat(host("newfile").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(PodVolumesTest, EmptyDirLivesUnderTheStateDirAndIsRemovedWithThePod) {
  model::PodSpec spec;
  model::Volume cache;
  cache.name = "cache";
  cache.emptyDir = model::EmptyDirVolumeSource{};
  cache.sourceKinds = {"emptyDir"};
  spec.volumes = {cache};
  const std::string state = (dir_ / "state").string();
  auto volumes = preparePodVolumes(spec, "uid-1", state);
  ASSERT_TRUE(volumes) << volumes.error().describe();
  const std::string expected = state + "/pods/uid-1/volumes/kubernetes.io~empty-dir/cache";
  EXPECT_EQ(volumes->byName.at("cache").hostPath, expected);
  EXPECT_TRUE(volumes->byName.at("cache").emptyDir);
  struct stat st {};
  ASSERT_EQ(::stat(expected.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0777u);
  { std::ofstream(expected + "/data") << "kept across container restarts"; }
  // Prepared again (a container restart): the contents stay.
  ASSERT_TRUE(preparePodVolumes(spec, "uid-1", state));
  EXPECT_TRUE(fs::exists(expected + "/data"));

  ASSERT_TRUE(removePodVolumes(state, "uid-1"));
  EXPECT_FALSE(fs::exists(state + "/pods/uid-1"));
  EXPECT_TRUE(removePodVolumes(state, "never-had-volumes"));
}

TEST_F(PodVolumesTest, EmptyDirMediumOtherThanMemoryIsRefused) {
  model::PodSpec spec;
  model::Volume v;
  v.name = "huge";
  v.emptyDir = model::EmptyDirVolumeSource{"HugePages", std::nullopt};
  v.sourceKinds = {"emptyDir"};
  spec.volumes = {v};
  auto volumes = preparePodVolumes(spec, "uid-1", (dir_ / "state").string());
  ASSERT_FALSE(volumes);
  EXPECT_EQ(volumes.error().context, "spec.volumes[0].emptyDir.medium");
}

TEST_F(PodVolumesTest, EveryOtherVolumeKindIsRefusedNamingItsField) {
  model::PodSpec spec;
  const std::vector<std::string> kinds = {"configMap", "secret",   "projected", "downwardAPI",
                                          "persistentVolumeClaim", "csi", "nfs", "ephemeral"};
  spec.volumes.push_back(hostPath("ok", host(""), "Directory"));
  for (const auto& kind : kinds) {
    model::Volume v;
    v.name = kind;
    v.sourceKinds = {kind};
    spec.volumes.push_back(v);
  }
  auto reasons = unsupportedVolumeReasons(spec);
  ASSERT_EQ(reasons.size(), kinds.size());
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    SCOPED_TRACE(reasons[i]);
    EXPECT_EQ(reasons[i].rfind("spec.volumes[" + std::to_string(i + 1) + "]." + kinds[i] + ": ", 0), 0u);
  }
  auto volumes = preparePodVolumes(spec, "uid-1", (dir_ / "state").string());
  ASSERT_FALSE(volumes);
  EXPECT_EQ(volumes.error().context, "spec.volumes[1].configMap");
  EXPECT_NE(volumes.error().message.find("API server"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "state")) << "nothing is made for a refused pod";
}

TEST_F(PodVolumesTest, ContainerMounts) {
  namespace v1 = ::runtime::v1;
  model::PodSpec spec;
  spec.volumes = {hostPath("host", hostDir(), "")};
  PodVolumes volumes;
  volumes.byName["host"] = PreparedVolume{hostDir(), false};
  ::chmod(hostDir().c_str(), 0750);
  model::Container c;
  c.name = "app";
  auto mount = [](const std::string& path, bool readOnly, const std::string& propagation) {
    model::VolumeMount m;
    m.name = "host";
    m.mountPath = path;
    m.readOnly = readOnly;
    m.mountPropagation = propagation;
    return m;
  };
  c.volumeMounts = {mount("/data", true, ""), mount("relative", false, "HostToContainer"),
                    mount("/shared", false, "Bidirectional"), mount("/sub", false, "None")};
  c.volumeMounts[3].subPath = "made/here";
  spec.containers = {model::Container{}, c};
  spec.containers[0].name = "first";

  auto mounts = containerMounts(spec, c, volumes, {}, /*privileged=*/true);
  ASSERT_TRUE(mounts) << mounts.error().describe();
  ASSERT_EQ(mounts->size(), 4u);
  EXPECT_EQ((*mounts)[0].container_path(), "/data");
  EXPECT_EQ((*mounts)[0].host_path(), hostDir());
  EXPECT_TRUE((*mounts)[0].readonly());
  EXPECT_EQ((*mounts)[0].propagation(), v1::PROPAGATION_PRIVATE);
  EXPECT_EQ((*mounts)[1].container_path(), "/relative");
  EXPECT_EQ((*mounts)[1].propagation(), v1::PROPAGATION_HOST_TO_CONTAINER);
  EXPECT_EQ((*mounts)[2].propagation(), v1::PROPAGATION_BIDIRECTIONAL);
  EXPECT_EQ((*mounts)[3].host_path(), hostDir() + "/made/here");
  struct stat st {};
  ASSERT_EQ(::stat(host("made/here").c_str(), &st), 0) << "a missing subPath is made, as the kubelet does";
  EXPECT_EQ(st.st_mode & 07777, 0750u) << "with the volume's mode";
  ASSERT_EQ(::stat(host("made").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
}

TEST_F(PodVolumesTest, ContainerMountErrorsNameTheField) {
  fs::create_directories(dir_ / "outside");
  fs::create_symlink(dir_ / "outside", host("escape"));
  PodVolumes volumes;
  volumes.byName["host"] = PreparedVolume{hostDir(), false};
  struct Row {
    const char* name;
    model::VolumeMount mount;
    bool privileged;
    const char* field;
    const char* why;
  };
  auto m = [](const char* volume, const char* subPath, const char* expr, const char* propagation) {
    model::VolumeMount mount;
    mount.name = volume;
    mount.mountPath = "/x";
    mount.subPath = subPath;
    mount.subPathExpr = expr;
    mount.mountPropagation = propagation;
    return mount;
  };
  const std::vector<Row> rows = {
      {"unknown volume", m("nope", "", "", ""), false, "spec.initContainers[0].volumeMounts[0].name",
       "cannot find volume \"nope\""},
      {"Bidirectional unprivileged", m("host", "", "", "Bidirectional"), false,
       "spec.initContainers[0].volumeMounts[0].mountPropagation", "only to privileged containers"},
      {"bad propagation", m("host", "", "", "Sideways"), true, "spec.initContainers[0].volumeMounts[0].mountPropagation",
       "invalid MountPropagation mode"},
      {"backsteps", m("host", "a/../../b", "", ""), false, "spec.initContainers[0].volumeMounts[0].subPath", "'..'"},
      {"absolute", m("host", "/etc", "", ""), false, "spec.initContainers[0].volumeMounts[0].subPath", "relative"},
      {"symlink out", m("host", "escape/x", "", ""), false, "spec.initContainers[0].volumeMounts[0].subPath",
       "outside its volume"},
      {"expr without a value", m("host", "", "$(POD_NAME)/$(MISSING)", ""), false,
       "spec.initContainers[0].volumeMounts[0].subPathExpr", "missing value for MISSING"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    model::PodSpec spec;
    model::Container c;
    c.name = "init";
    c.volumeMounts = {row.mount};
    spec.initContainers = {c};
    auto mounts = containerMounts(spec, c, volumes, {{"POD_NAME", "p-1"}}, row.privileged);
    ASSERT_FALSE(mounts);
    EXPECT_EQ(mounts.error().context, row.field);
    EXPECT_NE(mounts.error().message.find(row.why), std::string::npos) << mounts.error().message;
  }
  EXPECT_FALSE(fs::exists(dir_ / "outside" / "x")) << "nothing is made outside the volume";

  model::PodSpec spec;
  model::Container c;
  c.name = "app";
  c.volumeMounts = {m("host", "", "$(POD_NAME)/logs", "")};
  spec.containers = {c};
  auto mounts = containerMounts(spec, c, volumes, {{"POD_NAME", "p-1"}}, false);
  ASSERT_TRUE(mounts) << mounts.error().describe();
  EXPECT_EQ((*mounts)[0].host_path(), hostDir() + "/p-1/logs");
}

}  // namespace
}  // namespace daemonlet::runtime::cri
