#pragma once
// A private containerd for the CRI tests: Debian's containerd 1.6 with its own
// root, state, sockets, runc root, opt dir and an empty CNI conf dir (hostNetwork
// pods only), all under one fresh temp directory, so several test binaries can
// each run one at once and none touches /run/containerd. The non-default settings
// are the ones measured necessary on these machines (see
// ../shared/notes/containerd-cri.md): restrict_oom_score_adj (root here lacks
// CAP_SYS_RESOURCE), cgroupfs driver, a local sandbox image, netns mounts under
// the state dir, no AppArmor, the stream server on 127.0.0.1 port 0. Registry
// hosts come from hostsDir() (containerd's config_path), read at each pull, so a
// RegistryFixture started later can still be trusted.
//
// start() builds the test images (test_images.h) and imports them into k8s.io.
// restart() stops containerd with SIGTERM, waits for the pid and starts it again on
// the same root: containers keep running under their shims meanwhile.
//
// Teardown (destructor), by what is unique to this instance: SIGKILL of containerd,
// of every shim whose command line names this socket and of everything below the
// shims, of the processes in cgroupParent(); unmounts everything under root();
// removes cgroupParent() in every hierarchy, the cgroups the killed containers
// were in (and their empty parents below the top level), and then root() (kept
// when DAEMONLET_E2E_KEEP is set). Not thread-safe: use it from one thread.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "test/integration/cri/support/child_process.h"
#include "test/integration/cri/support/test_images.h"
#include "test/integration/support/run_command.h"

namespace daemonlet::testing {

// The RuntimeClass handler the fixture's containerd runs with crun.
inline constexpr const char* kCrunHandler = "crun";

class ContainerdFixture {
 public:
  struct Timings {
    double readySeconds = 0;     // the last start(): launch until `ctr version` answers
    double imagesSeconds = 0;    // building and importing the test images (first start)
    double lastStopSeconds = 0;  // the last SIGTERM stop until the pid was gone
    double teardownSeconds = 0;  // filled by teardown()
  };

  ContainerdFixture();
  ~ContainerdFixture();
  ContainerdFixture(const ContainerdFixture&) = delete;
  ContainerdFixture& operator=(const ContainerdFixture&) = delete;

  // Starts containerd and waits until it answers; the first start also builds
  // and imports the images. False with lastError() set (with the log's tail).
  bool start();
  // SIGTERM, wait for the pid (SIGKILL after `timeout`); containers keep running.
  bool stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  bool restart();
  bool running() { return process_.running(); }
  // Gives pods that are not hostNetwork a network: a CNI bridge conflist
  // (bridge + host-local IPAM, no masquerading, no gateway) in the private CNI
  // conf dir, with a bridge and a /24 unique to this instance. Call it before
  // start(), or containerd picks the file up within about a second. Teardown
  // deletes the bridge. False with lastError() set when the file cannot be written.
  bool enablePodNetwork();
  // Everything the class comment lists; also run by the destructor. Idempotent.
  void teardown();

  std::string endpoint() const { return "unix://" + socket().string(); }
  std::filesystem::path socket() const { return root_ / "run" / "containerd.sock"; }
  std::filesystem::path root() const { return root_; }
  // The runc state root (containers of namespace k8s.io live in runcRoot()/k8s.io).
  std::filesystem::path runcRoot() const { return root_ / "runc"; }
  // The same for the second runtime handler, kCrunHandler.
  std::filesystem::path crunRoot() const { return root_ / "crun"; }
  // What the handler runs as its OCI runtime: crun, through a wrapper.
  std::filesystem::path crunWrapper() const { return root_ / "crun-wrapper"; }
  // containerd's registry hosts directory: <host:port>/hosts.toml per registry.
  std::filesystem::path hostsDir() const { return root_ / "certs.d"; }
  // A cgroup parent unique to this instance ("/daemonlet-cri-<token>"): give it to
  // the sandboxes (the agent's cgroup root) and teardown removes it.
  const std::string& cgroupParent() const { return cgroupParent_; }
  int pid() const { return process_.pid(); }
  const TestImageArchives& images() const { return images_; }
  const Timings& timings() const { return timings_; }
  const std::string& lastError() const { return lastError_; }
  std::string logTail(std::size_t maxBytes = 4000) const { return process_.logTail(maxBytes); }

  // `ctr -a <socket> -n k8s.io <args...>`.
  CommandResult ctr(const std::vector<std::string>& args,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // The pid of task `id` while `ctr tasks ls` shows it RUNNING, else 0.
  int taskPid(const std::string& id) const;
  // Live shims serving this instance (their command line names the socket).
  std::vector<int> shimPids() const;

 private:
  bool prepare();
  bool writeConfig();
  bool writeCrunWrapper();
  bool waitReady(std::chrono::milliseconds timeout);
  bool importImages();

  std::filesystem::path root_;
  std::string cgroupParent_;
  ChildProcess process_;
  TestImageArchives images_;
  Timings timings_;
  std::string lastError_;
  std::string bridge_;  // set by enablePodNetwork()
  bool prepared_ = false;
  bool imported_ = false;
  bool tornDown_ = false;
};

}  // namespace daemonlet::testing
