// Security fields of a host-process pod, honoured as the kubelet would
// (issue 9, H4/M6/M7): refused fields leave the container waiting with
// CreateContainerConfigError naming the field; user, groups, capabilities,
// no_new_privs and oom_score_adj are read back from /proc/<pid>/status of the
// real daemon.
#include <linux/capability.h>
#include <pwd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "test/integration/agent/agent_fixture.h"

namespace daemonlet::e2e {
namespace {

// The value of one "Key:\tvalue" line of /proc/<pid>/status.
std::string procStatus(int pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      std::string value = line.substr(key.size() + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      return value;
    }
  }
  return "";
}

std::uint64_t capabilityMask(int pid, const std::string& key) {
  return std::stoull(procStatus(pid, key), nullptr, 16);
}

std::uint64_t bit(int capability) { return std::uint64_t{1} << capability; }

// containerd's default set (runtime/linux_capabilities.h), by number.
std::uint64_t containerdDefaults() {
  std::uint64_t set = 0;
  for (int cap :
       {CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID, CAP_SETUID,
        CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE}) {
    set |= bit(cap);
  }
  return set;
}

int oomScoreAdjOf(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/oom_score_adj");
  int value = 0;
  in >> value;
  return value;
}

bool setOwnOomScoreAdj(int value) {
  std::ofstream out("/proc/self/oom_score_adj");
  out << value << std::flush;
  return static_cast<bool>(out);
}

class SecurityContextTest : public AgentE2eTest {
 protected:
  // The daemon's pid once it runs (0 on timeout).
  int runningPid(const std::string& daemonSet) const {
    Json pod = waitRunning(daemonSet);
    return pod.is_null() ? 0 : pidOf(mainStatus(pod));
  }
};

TEST_F(SecurityContextTest, FieldsAHostProcessCannotHonourAreRefusedNamingTheField) {
  ASSERT_EQ(::geteuid(), 0u) << "this test needs root: the agent's own uid decides runAsNonRoot";
  Json nonRoot = daemonSet("nonroot", {"sleep"});
  mainContainer(nonRoot)["securityContext"] = {{"runAsNonRoot", true}, {"runAsUser", 0}};
  Json readOnly = daemonSet("readonly", {"sleep"});
  mainContainer(readOnly)["securityContext"] = {{"readOnlyRootFilesystem", true}};
  Json inheritsRoot = daemonSet("inherits-root", {"sleep"});
  podSpec(inheritsRoot)["securityContext"] = {{"runAsNonRoot", true}};
  for (const Json* ds : {&nonRoot, &readOnly, &inheritsRoot}) {
    writeManifest((*ds)["metadata"]["name"].get<std::string>() + ".json", *ds);
  }
  startAgent();
  const std::pair<const char*, const char*> expected[] = {
      {"nonroot", "containers[0].securityContext.runAsNonRoot"},
      {"readonly", "containers[0].securityContext.readOnlyRootFilesystem"},
      {"inherits-root", "spec.template.spec.securityContext.runAsNonRoot"},
  };
  for (const auto& entry : expected) {
    const std::string name = entry.first;  // not a structured binding: clang 14 cannot capture those
    const std::string field = entry.second;
    SCOPED_TRACE(name);
    Json waiting = waitWaiting(name, {"CreateContainerConfigError"});
    ASSERT_FALSE(waiting.is_null()) << (onlyPod(name) ? onlyPod(name)->dump() : "no pod");
    EXPECT_NE(waiting.value("message", "").find(field), std::string::npos) << waiting.dump();
    EXPECT_TRUE(daemonProcesses(name).empty()) << "a refused container runs";
  }
  EXPECT_NE(readFile(root_ / "agent.log").find("CreateContainerConfigError"), std::string::npos);
}

TEST_F(SecurityContextTest, RunAsUserWithoutRunAsGroupRunsInTheUsersPrimaryGroup) {
  const passwd* nobody = ::getpwuid(65534);
  ASSERT_NE(nobody, nullptr) << "uid 65534 needs a passwd entry on the test machine";
  Json ds = daemonSet("nobody", {"sleep"});
  mainContainer(ds)["securityContext"] = {{"runAsUser", 65534}};
  writeManifest("nobody.json", ds);
  startAgent();
  int pid = runningPid("nobody");
  ASSERT_GT(pid, 0);
  const std::string gid = std::to_string(nobody->pw_gid);
  EXPECT_EQ(procStatus(pid, "Uid"), "65534\t65534\t65534\t65534");
  EXPECT_EQ(procStatus(pid, "Gid"), gid + "\t" + gid + "\t" + gid + "\t" + gid) << "gid 0 left over (M7)";
  std::istringstream groups(procStatus(pid, "Groups"));
  for (std::string group; groups >> group;)
    EXPECT_NE(group, "0") << "root's group among the supplementary groups";
}

TEST_F(SecurityContextTest, CapabilitiesAndNoNewPrivsAreApplied) {
  ASSERT_EQ(::geteuid(), 0u) << "this test needs root (CAP_SETPCAP) to narrow the bounding set";
  Json dropAll = daemonSet("drop-all", {"sleep"});
  mainContainer(dropAll)["securityContext"] = {{"allowPrivilegeEscalation", false},
                                               {"capabilities", {{"drop", {"ALL"}}}}};
  Json added = daemonSet("added", {"sleep"});
  mainContainer(added)["securityContext"] = {{"capabilities", {{"add", {"NET_ADMIN"}}, {"drop", {"MKNOD"}}}}};
  Json nonRoot = daemonSet("nonroot-bind", {"sleep"});
  mainContainer(nonRoot)["securityContext"] = {
      {"runAsUser", 65534}, {"capabilities", {{"add", {"NET_BIND_SERVICE"}}, {"drop", {"ALL"}}}}};
  Json defaults = daemonSet("defaults", {"sleep"});
  for (const Json* ds : {&dropAll, &added, &nonRoot, &defaults}) {
    writeManifest((*ds)["metadata"]["name"].get<std::string>() + ".json", *ds);
  }
  startAgent();

  int pid = runningPid("drop-all");
  ASSERT_GT(pid, 0);
  EXPECT_EQ(capabilityMask(pid, "CapEff"), 0u);
  EXPECT_EQ(capabilityMask(pid, "CapPrm"), 0u);
  EXPECT_EQ(capabilityMask(pid, "CapBnd"), 0u);
  EXPECT_EQ(procStatus(pid, "NoNewPrivs"), "1");

  pid = runningPid("added");
  ASSERT_GT(pid, 0);
  const std::uint64_t wanted = (containerdDefaults() | bit(CAP_NET_ADMIN)) & ~bit(CAP_MKNOD);
  EXPECT_EQ(capabilityMask(pid, "CapEff"), wanted) << procStatus(pid, "CapEff");
  EXPECT_EQ(capabilityMask(pid, "CapBnd"), wanted) << procStatus(pid, "CapBnd");
  EXPECT_EQ(procStatus(pid, "NoNewPrivs"), "0");

  pid = runningPid("nonroot-bind");
  ASSERT_GT(pid, 0);
  EXPECT_EQ(capabilityMask(pid, "CapEff"), bit(CAP_NET_BIND_SERVICE)) << procStatus(pid, "CapEff");
  EXPECT_EQ(capabilityMask(pid, "CapAmb"), bit(CAP_NET_BIND_SERVICE)) << procStatus(pid, "CapAmb");

  pid = runningPid("defaults");
  ASSERT_GT(pid, 0);
  EXPECT_EQ(capabilityMask(pid, "CapEff"), containerdDefaults())
      << "not privileged: containerd's default set";
}

TEST_F(SecurityContextTest, DaemonsGetTheirQosOomScoreAdjNotTheAgents) {
  // The unit runs the agent at -999. Lowering below 0 needs CAP_SYS_RESOURCE,
  // which test machines may lack; then the agent runs at 500, which a daemon
  // inheriting it would show just as well.
  const int original = oomScoreAdjOf(::getpid());
  int agentValue = -999;
  if (!setOwnOomScoreAdj(agentValue)) {
    agentValue = 500;
    ASSERT_TRUE(setOwnOomScoreAdj(agentValue));
  }
  std::cout << "agent oom_score_adj: " << agentValue << "\n";
  Json bestEffort = daemonSet("best-effort", {"sleep"});
  Json burstable = daemonSet("burstable", {"sleep"});
  mainContainer(burstable)["resources"] = {{"requests", {{"memory", "1Gi"}}}};
  writeManifest("best-effort.json", bestEffort);
  writeManifest("burstable.json", burstable);
  startAgent();
  ASSERT_TRUE(setOwnOomScoreAdj(original));
  EXPECT_EQ(oomScoreAdjOf(agent_.pid()), agentValue);

  int pid = runningPid("best-effort");
  ASSERT_GT(pid, 0);
  EXPECT_EQ(oomScoreAdjOf(pid), 1000);

  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::int64_t totalKib = 0;
  while (meminfo >> key && key != "MemTotal:") meminfo.ignore(1 << 20, '\n');
  meminfo >> totalKib;
  ASSERT_GT(totalKib, 0);
  const std::int64_t expected = std::clamp<std::int64_t>(1000 - (1000LL << 30) / (totalKib * 1024), 3, 999);
  pid = runningPid("burstable");
  ASSERT_GT(pid, 0);
  // 500 -> expected needs no CAP_SYS_RESOURCE either: the kernel lets a
  // process go back down to the lowest value it was given by a privileged one (0).
  EXPECT_EQ(oomScoreAdjOf(pid), expected);
}

}  // namespace
}  // namespace daemonlet::e2e
