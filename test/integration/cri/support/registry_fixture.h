#pragma once
// A real registry for the CRI pull tests: Debian's docker-registry (distribution
// 2.8) on 127.0.0.1:<free port>, TLS with a certificate from a throwaway test CA
// (test_certificates.h) and htpasswd (bcrypt) basic auth, storage in a temp dir.
// push() copies an OCI archive into it with skopeo.
//
// For the pulling side: trust() writes <hostsDir>/<host>/hosts.toml naming the CA
// (containerd's config_path layout, read at each pull, so it may follow the
// containerd start), and dockerConfig() is a Docker config.json with the right
// credentials (the agent's cri.registryCredentialsFile); writeDockerConfig() writes
// one with any credentials (the wrong-password case).
//
// stop() and a later start() keep the port, the data and the certificate (the
// "registry down, then back" case). The destructor stops it (SIGTERM, then SIGKILL)
// and removes the temp dir unless DAEMONLET_E2E_KEEP is set. Not thread-safe.
#include <filesystem>
#include <string>

#include "test/integration/cri/support/child_process.h"

namespace daemonlet::testing {

class RegistryFixture {
 public:
  RegistryFixture();
  ~RegistryFixture();
  RegistryFixture(const RegistryFixture&) = delete;
  RegistryFixture& operator=(const RegistryFixture&) = delete;

  // Starts the registry and waits until /v2/ answers 401 over TLS. False with
  // lastError() set (and the log's tail) when a tool is missing or it failed.
  bool start();
  void stop();
  bool running() { return process_.running(); }

  // Pushes `ociArchive` as <host()>/<repositoryAndTag>, e.g. "daemonlet-test/busybox:1".
  bool push(const std::filesystem::path& ociArchive, const std::string& repositoryAndTag);
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string reference(const std::string& repositoryAndTag) const { return host() + "/" + repositoryAndTag; }

  std::filesystem::path caFile() const;
  const std::string& username() const { return username_; }
  const std::string& password() const { return password_; }
  bool trust(const std::filesystem::path& hostsDir) const;
  std::filesystem::path dockerConfig() const { return root_ / "docker-config.json"; }
  bool writeDockerConfig(const std::filesystem::path& file, const std::string& user,
                         const std::string& password) const;

  double readySeconds() const { return readySeconds_; }
  const std::string& lastError() const { return lastError_; }
  std::string logTail(std::size_t maxBytes = 4000) const { return process_.logTail(maxBytes); }

 private:
  bool prepare();
  bool waitServing(std::chrono::milliseconds timeout);

  std::filesystem::path root_;
  std::string username_ = "daemonlet";
  std::string password_ = "pull-secret-4c1e";
  int port_ = 0;
  ChildProcess process_;
  double readySeconds_ = 0;
  std::string lastError_;
  bool prepared_ = false;
};

}  // namespace daemonlet::testing
