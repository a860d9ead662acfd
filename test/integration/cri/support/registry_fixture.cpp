#include "test/integration/cri/support/registry_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "test/integration/support/run_command.h"
#include "test/integration/support/test_certificates.h"
#include "test/support/free_loopback_port.h"

namespace daemonlet::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRegistry = "/usr/bin/docker-registry";
constexpr const char* kSkopeo = "/usr/bin/skopeo";
constexpr const char* kHtpasswd = "/usr/bin/htpasswd";
constexpr const char* kCurl = "/usr/bin/curl";

}  // namespace

RegistryFixture::RegistryFixture() { prepared_ = prepare(); }

RegistryFixture::~RegistryFixture() {
  stop();
  if (!root_.empty() && !std::getenv("DAEMONLET_E2E_KEEP")) {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
}

bool RegistryFixture::prepare() {
  char pattern[] = "/tmp/daemonlet-registry-XXXXXX";
  if (!::mkdtemp(pattern)) {
    lastError_ = "mkdtemp failed";
    return false;
  }
  root_ = pattern;
  for (const char* tool : {kRegistry, kSkopeo, kHtpasswd, kCurl}) {
    if (!fs::exists(tool)) {
      lastError_ =
          std::string(tool) +
          " not found: run packaging/install-test-deps.sh (docker-registry, skopeo, apache2-utils, curl)";
      return false;
    }
  }
  std::error_code ec;
  for (const char* dir : {"data", "tls", "certs"}) fs::create_directories(root_ / dir, ec);
  TestCertificates certificates;
  if (!generateTestCertificates(root_ / "tls", certificates, lastError_)) return false;
  // skopeo's --dest-cert-dir takes every *.crt in a directory as a CA.
  fs::copy_file(certificates.caCert, root_ / "certs" / "ca.crt", ec);

  const CommandResult hash = runCommand({kHtpasswd, "-Bbn", username_, password_});
  if (hash.exitCode != 0) {
    lastError_ = "htpasswd: " + hash.err;
    return false;
  }
  std::ofstream(root_ / "htpasswd") << hash.out;
  port_ = freeLoopbackPort();
  std::ofstream(root_ / "config.yml")
      << "version: 0.1\n"
         "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
         "storage:\n  filesystem:\n    rootdirectory: "
      << (root_ / "data").string()
      << "\n  delete:\n    enabled: true\n"
         "http:\n  addr: 127.0.0.1:"
      << port_ << "\n  tls:\n    certificate: " << certificates.serverCert.string()
      << "\n    key: " << certificates.serverKey.string()
      << "\nauth:\n  htpasswd:\n    realm: daemonlet-test\n    path: " << (root_ / "htpasswd").string()
      << "\n";
  return writeDockerConfig(dockerConfig(), username_, password_);
}

fs::path RegistryFixture::caFile() const { return root_ / "tls" / "ca.crt"; }

bool RegistryFixture::start() {
  if (!prepared_) return false;
  const auto launched = std::chrono::steady_clock::now();
  if (!process_.start({kRegistry, "serve", (root_ / "config.yml").string()}, root_ / "registry.log",
                      lastError_)) {
    return false;
  }
  if (!waitServing(20s)) return false;
  readySeconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - launched).count();
  return true;
}

bool RegistryFixture::waitServing(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (!process_.running()) {
      lastError_ = "docker-registry exited at start; log:\n" + logTail();
      return false;
    }
    // 401 is the answer of a registry that serves and wants credentials.
    const CommandResult probe =
        runCommand({kCurl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", "--cacert",
                    caFile().string(), "https://" + host() + "/v2/"});
    if (probe.out == "401") return true;
    if (std::chrono::steady_clock::now() >= deadline) {
      lastError_ =
          "docker-registry did not answer 401 on /v2/ (last: '" + probe.out + "'); log:\n" + logTail();
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
}

void RegistryFixture::stop() { process_.stop(SIGTERM, 5s); }

bool RegistryFixture::push(const fs::path& ociArchive, const std::string& repositoryAndTag) {
  const CommandResult result =
      runCommand({kSkopeo, "--insecure-policy", "copy", "--quiet", "--dest-cert-dir",
                  (root_ / "certs").string(), "--dest-creds", username_ + ":" + password_,
                  "oci-archive:" + ociArchive.string(), "docker://" + reference(repositoryAndTag)},
                 {}, 60s);
  if (result.exitCode == 0) return true;
  lastError_ = "skopeo copy to " + reference(repositoryAndTag) + ": " + result.err + result.out;
  return false;
}

bool RegistryFixture::trust(const fs::path& hostsDir) const {
  std::error_code ec;
  fs::create_directories(hostsDir / host(), ec);
  std::ofstream out(hostsDir / host() / "hosts.toml", std::ios::trunc);
  out << "server = \"https://" << host() << "\"\n\n"
      << "[host.\"https://" << host() << "\"]\n"
      << "  capabilities = [\"pull\", \"resolve\"]\n"
      << "  ca = \"" << caFile().string() << "\"\n";
  return static_cast<bool>(out);
}

bool RegistryFixture::writeDockerConfig(const fs::path& file, const std::string& user,
                                        const std::string& password) const {
  const CommandResult encoded = runCommand({"/usr/bin/base64", "-w0"}, user + ":" + password);
  if (encoded.exitCode != 0) return false;
  const nlohmann::json config = {{"auths", {{host(), {{"auth", encoded.out}}}}}};
  std::ofstream out(file, std::ios::trunc);
  out << config.dump(2) << "\n";
  return static_cast<bool>(out);
}

}  // namespace daemonlet::testing
