#include "test/integration/cri/support/containerd_fixture.h"

#include <signal.h>
#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "test/integration/cri/support/host_cleanup.h"

namespace daemonlet::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kContainerd = "/usr/bin/containerd";
constexpr const char* kCtr = "/usr/bin/ctr";
constexpr const char* kCrun = "/usr/bin/crun";

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string quoted(const fs::path& path) { return "\"" + path.string() + "\""; }

}  // namespace

ContainerdFixture::ContainerdFixture() { prepared_ = prepare(); }

ContainerdFixture::~ContainerdFixture() { teardown(); }

bool ContainerdFixture::prepare() {
  char pattern[] = "/tmp/daemonlet-cri-XXXXXX";
  if (!::mkdtemp(pattern)) {
    lastError_ = "mkdtemp failed";
    return false;
  }
  root_ = pattern;
  // The cgroup parent carries the temp dir's unique suffix: one per instance.
  cgroupParent_ = "/" + root_.filename().string();
  std::error_code ec;
  for (const char* dir : {"root", "state", "run", "runc", "crun", "opt", "cni", "certs.d", "images"}) {
    fs::create_directories(root_ / dir, ec);
  }
  for (const char* tool : {kContainerd, kCtr, "/usr/sbin/runc", kCrun}) {
    if (!fs::exists(tool)) {
      lastError_ = std::string(tool) + " not found: run packaging/install-test-deps.sh (containerd, runc, crun)";
      return false;
    }
  }
  return writeConfig();
}

bool ContainerdFixture::writeCrunWrapper() {
  // crun 1.8 refuses every container on a hybrid host whose v2 hierarchy
  // holds a controller (these machines: hugetlb at /sys/fs/cgroup/unified),
  // even without cgroup management. In a mount namespace of its own without
  // that mount, crun sees the v1 hierarchies runc uses. Routing the pod to the
  // handler is what is under test.
  std::ofstream out(crunWrapper(), std::ios::trunc);
  out << "#!/bin/sh\n"
      << "if grep -qs . /sys/fs/cgroup/unified/cgroup.controllers; then\n"
      << "  exec unshare -m --propagation private sh -c 'umount -l /sys/fs/cgroup/unified && exec \"$0\" \"$@\"' "
      << kCrun << " \"$@\"\n"
      << "fi\n"
      << "exec " << kCrun << " \"$@\"\n";
  out.close();
  std::error_code ec;
  fs::permissions(crunWrapper(), fs::perms::owner_all, fs::perm_options::add, ec);
  if (!out || ec) {
    lastError_ = "cannot write " + crunWrapper().string();
    return false;
  }
  return true;
}

bool ContainerdFixture::writeConfig() {
  if (!writeCrunWrapper()) return false;
  const std::string cri = "[plugins.\"io.containerd.grpc.v1.cri\"";
  std::ofstream out(root_ / "config.toml", std::ios::trunc);
  out << "version = 2\n"
      << "root = " << quoted(root_ / "root") << "\n"
      << "state = " << quoted(root_ / "state") << "\n"
      << "[grpc]\n  address = " << quoted(socket()) << "\n"
      << "[ttrpc]\n  address = " << quoted(root_ / "run" / "containerd.sock.ttrpc") << "\n"
      << "[debug]\n  address = " << quoted(root_ / "run" / "debug.sock") << "\n"
      << "[plugins.\"io.containerd.internal.v1.opt\"]\n  path = " << quoted(root_ / "opt") << "\n"
      << cri << "]\n"
      << "  sandbox_image = \"" << kPauseImage << "\"\n"
      << "  restrict_oom_score_adj = true\n"
      << "  disable_apparmor = true\n"
      << "  netns_mounts_under_state_dir = true\n"
      << "  stream_server_address = \"127.0.0.1\"\n"
      << "  stream_server_port = \"0\"\n"
      << cri << ".cni]\n"
      << "  conf_dir = " << quoted(root_ / "cni") << "\n"
      << "  bin_dir = \"/usr/lib/cni\"\n"
      << cri << ".registry]\n"
      << "  config_path = " << quoted(hostsDir()) << "\n"
      << cri << ".containerd.runtimes.runc]\n"
      << "  runtime_type = \"io.containerd.runc.v2\"\n"
      << cri << ".containerd.runtimes.runc.options]\n"
      << "  Root = " << quoted(runcRoot()) << "\n"
      << "  SystemdCgroup = false\n"
      // A second handler, as a node offering RuntimeClass "crun" configures it:
      // the same shim running crun instead of runc, with a state root of its own.
      << cri << ".containerd.runtimes." << kCrunHandler << "]\n"
      << "  runtime_type = \"io.containerd.runc.v2\"\n"
      << cri << ".containerd.runtimes." << kCrunHandler << ".options]\n"
      << "  BinaryName = " << quoted(crunWrapper()) << "\n"
      << "  Root = " << quoted(crunRoot()) << "\n"
      << "  SystemdCgroup = false\n";
  if (!out) {
    lastError_ = "cannot write " + (root_ / "config.toml").string();
    return false;
  }
  return true;
}

bool ContainerdFixture::enablePodNetwork() {
  if (!prepared_) return false;
  // The temp dir's unique suffix names the bridge (IFNAMSIZ allows 15 bytes) and
  // picks the subnet, so test binaries running at once do not share either.
  const std::string suffix = root_.filename().string().substr(std::string("daemonlet-cri-").size());
  bridge_ = "dltcni" + suffix;
  const std::size_t spread = std::hash<std::string>{}(suffix);
  const std::string subnet =
      "10." + std::to_string(100 + spread % 100) + "." + std::to_string((spread / 100) % 256) + ".0/24";
  std::ofstream out(root_ / "cni" / "10-daemonlet-test.conflist", std::ios::trunc);
  out << R"({"cniVersion": "0.4.0", "name": "daemonlet-test", "plugins": [{"type": "bridge", "bridge": ")"
      << bridge_ << R"(", "isGateway": false, "ipMasq": false, "ipam": {"type": "host-local", "ranges": [[{"subnet": ")"
      << subnet << R"("}]], "dataDir": ")" << (root_ / "cni-ipam").string() << R"("}}]})" << "\n";
  if (!out) {
    lastError_ = "cannot write the CNI conflist under " + (root_ / "cni").string();
    return false;
  }
  return true;
}

bool ContainerdFixture::start() {
  if (!prepared_) return false;
  const auto launched = std::chrono::steady_clock::now();
  if (!process_.start({kContainerd, "--config", (root_ / "config.toml").string()}, root_ / "containerd.log",
                      lastError_)) {
    return false;
  }
  if (!waitReady(20s)) return false;
  timings_.readySeconds = secondsSince(launched);
  return imported_ || importImages();
}

bool ContainerdFixture::waitReady(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (!process_.running()) {
      lastError_ = "containerd exited at start; log:\n" + logTail();
      return false;
    }
    std::error_code ec;
    if (fs::exists(socket(), ec) && ctr({"version"}, 5s).exitCode == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) {
      lastError_ = "containerd did not answer `ctr version` in time; log:\n" + logTail();
      return false;
    }
    std::this_thread::sleep_for(10ms);
  }
}

bool ContainerdFixture::importImages() {
  const auto begin = std::chrono::steady_clock::now();
  if (!buildTestImages(root_ / "images", images_, lastError_)) return false;
  for (const fs::path& archive : {images_.pause, images_.busybox, images_.busyboxNonRoot}) {
    const CommandResult result = ctr({"images", "import", archive.string()}, 60s);
    if (result.exitCode != 0) {
      lastError_ = "ctr images import " + archive.string() + ": " + result.err + result.out;
      return false;
    }
  }
  timings_.imagesSeconds = secondsSince(begin);
  imported_ = true;
  return true;
}

bool ContainerdFixture::stop(std::chrono::milliseconds timeout) {
  const auto begin = std::chrono::steady_clock::now();
  const bool clean = process_.stop(SIGTERM, timeout);
  timings_.lastStopSeconds = secondsSince(begin);
  if (!clean) lastError_ = "containerd ignored SIGTERM and was killed";
  return clean;
}

bool ContainerdFixture::restart() { return stop() && start(); }

void ContainerdFixture::teardown() {
  if (tornDown_ || root_.empty()) return;
  tornDown_ = true;
  const auto begin = std::chrono::steady_clock::now();
  // containerd first, so it restarts nothing; it is being wiped, so no grace.
  process_.stop(SIGKILL, 5s);
  const std::vector<int> shims = shimPids();
  const std::vector<int> containers = descendantsOf(shims);
  // Containers under another cgroup parent than ours (a test's own choice, or
  // containerd's default /k8s.io) leave their own cgroups: note them before the kill.
  const std::vector<std::string> cgroups = cgroupsOf(containers);
  killAll(containers, 5s);
  killAll(shims, 5s);
  removeCgroupTree(cgroupParent_);
  removeEmptyCgroups(cgroups);
  unmountUnder(root_);
  if (!bridge_.empty()) (void)runCommand({"/bin/ip", "link", "delete", bridge_}, {}, 5s);
  if (!std::getenv("DAEMONLET_E2E_KEEP")) {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  timings_.teardownSeconds = secondsSince(begin);
}

CommandResult ContainerdFixture::ctr(const std::vector<std::string>& args,
                                     std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv = {kCtr, "-a", socket().string(), "-n", "k8s.io"};
  argv.insert(argv.end(), args.begin(), args.end());
  return runCommand(argv, {}, timeout);
}

int ContainerdFixture::taskPid(const std::string& id) const {
  if (id.empty()) return 0;
  std::istringstream lines(ctr({"tasks", "ls"}).out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string task, pid, status;
    fields >> task >> pid >> status;
    if (task == id && status == "RUNNING") return std::atoi(pid.c_str());
  }
  return 0;
}

std::vector<int> ContainerdFixture::shimPids() const {
  // The shim's command line: containerd-shim-runc-v2 -namespace k8s.io -id <id> -address <socket>
  return processesWithCommandLine("-address " + socket().string() + " ");
}

}  // namespace daemonlet::testing
