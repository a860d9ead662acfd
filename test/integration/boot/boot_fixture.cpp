#include "test/integration/boot/boot_fixture.h"

#include <iostream>
#include <nlohmann/json.hpp>

namespace daemonlet::boot {
namespace {

const fs::path kPackagesDir = DAEMONLET_BOOT_PACKAGES_DIR;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The single file with this extension in the packages directory of `version`.
fs::path packageFile(const fs::path& dir, const std::string& extension) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.path().extension() == extension) return entry.path();
  }
  return {};
}

}  // namespace

void BootFixture::SetUp() {
  std::string problems;
  const fs::path base = cachedBootRoot(problems);
  ASSERT_FALSE(base.empty()) << problems;
  root_ = std::make_unique<BootedRoot>(base, layout());
  ASSERT_TRUE(root_->ready()) << root_->problems();
  std::cout << "booted in " << root_->bootTime().count() << " ms\n";
  // Written before the package is installed, so the first start already uses it.
  ASSERT_TRUE(root_->writeFile("/etc/daemonlet/config.d/50-boot-test.yaml",
                               "apiVersion: daemonlet.io/v1alpha1\nkind: AgentConfiguration\n"
                               "listen: 127.0.0.1:" +
                                   std::to_string(kApiPort) + "\n"));
}

void BootFixture::TearDown() {
  if (root_ && root_->ready() && HasFailure()) std::cerr << root_->diagnostics();
  root_.reset();
}

std::string BootFixture::versionText(Version version) {
  return version == Version::kCurrent ? DAEMONLET_VERSION_TEXT : DAEMONLET_BOOT_NEWER_VERSION;
}

std::string BootFixture::copyPackageIn(Version version, const std::string& extension) {
  const fs::path package =
      packageFile(kPackagesDir / (version == Version::kCurrent ? "current" : "newer"), extension);
  const std::string inside = "/root/" + package.filename().string();
  if (package.empty() || !root_->copyIn(package, inside)) return {};
  return inside;
}

CommandResult BootFixture::installDeb(Version version) {
  const std::string deb = copyPackageIn(version, ".deb");
  return run(deb.empty() ? "echo no .deb in " + kPackagesDir.string() + " >&2; exit 1" : "dpkg -i " + deb);
}

CommandResult BootFixture::installRpm(Version version, bool upgrade) {
  const std::string rpm = copyPackageIn(version, ".rpm");
  if (rpm.empty()) return run("echo no .rpm in " + kPackagesDir.string() + " >&2; exit 1");
  // --nodeps: the rpm database of a Debian system lists no packages; the .rpm's
  // scripts need only systemctl.
  return run(std::string("rpm ") + (upgrade ? "-U" : "-i") + " --nodeps " + rpm);
}

std::optional<int> BootFixture::startExampleDaemon() {
  auto copied = run("cp /usr/share/daemonlet/examples/host/heartbeat.yaml /etc/daemonlet/manifests/");
  if (copied.exitCode != 0) {
    ADD_FAILURE() << describe(copied);
    return std::nullopt;
  }
  return runningPodPid("heartbeat-");
}

std::optional<int> BootFixture::runningPodPid(const std::string& podPrefix) {
  // The operator's view: the CLI's pod list, a host pod's containerID naming its pid.
  const std::string query =
      "daemonlet get pods -o json --server 127.0.0.1:" + std::to_string(kApiPort) + " | grep -q 'host://'";
  auto listed = root_->waitUntil(query, std::chrono::seconds(60));
  auto pods = run("daemonlet get pods -o json --server 127.0.0.1:" + std::to_string(kApiPort));
  auto json = nlohmann::json::parse(pods.out, nullptr, false);
  if (listed.exitCode == 0 && !json.is_discarded()) {
    for (const auto& pod : json.value("items", nlohmann::json::array())) {
      if (pod["metadata"].value("name", "").rfind(podPrefix, 0) != 0) continue;
      for (const auto& status : pod["status"].value("containerStatuses", nlohmann::json::array())) {
        const std::string id = status.value("containerID", "");
        if (status.contains("state") && status["state"].contains("running") && id.rfind("host://", 0) == 0) {
          return std::stoi(id.substr(7));
        }
      }
    }
  }
  return std::nullopt;
}

int BootFixture::agentMainPid() {
  auto shown = run("systemctl show -p MainPID --value daemonlet.service");
  return shown.exitCode == 0 && !shown.out.empty() ? std::stoi(shown.out) : 0;
}

int BootFixture::waitForNewMainPid(int previous) {
  const std::string condition =
      "[ \"$(systemctl is-active daemonlet.service)\" = active ] && "
      "pid=$(systemctl show -p MainPID --value daemonlet.service) && "
      "[ \"$pid\" != 0 ] && [ \"$pid\" != " +
      std::to_string(previous) + " ]";
  if (root_->waitUntil(condition, std::chrono::seconds(90)).exitCode != 0) return 0;
  return agentMainPid();
}

::testing::AssertionResult BootFixture::killUnitWithSigkill() {
  auto killed = run("systemctl kill -s SIGKILL daemonlet.service");
  if (killed.exitCode == 0) return ::testing::AssertionSuccess();
  // systemctl kill signals every process of the unit, whatever KillMode says.
  // Under nspawn, systemd 252 sometimes cannot read the unit's cgroup after it
  // signalled the main process (EIO, also in `systemctl status`), and says so
  // about the "auxiliary processes" while the agent was killed all the same;
  // what matters here, the daemons, is checked by the caller.
  if (killed.err.find("auxiliary processes: Input/output error") != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "systemctl kill: " << describe(killed);
}

::testing::AssertionResult BootFixture::sigkillOfTheUnitSparesTheDaemon() {
  auto installed = installDeb(Version::kCurrent);
  if (installed.exitCode != 0) return ::testing::AssertionFailure() << "dpkg -i: " << describe(installed);
  auto daemon = startExampleDaemon();
  if (!daemon) return ::testing::AssertionFailure() << "the example daemon never ran";
  const int agent = agentMainPid();
  auto killed = killUnitWithSigkill();
  if (!killed) return killed;
  if (waitForNewMainPid(agent) == 0) return ::testing::AssertionFailure() << "the agent did not come back";
  auto adopted = runningPodPid("heartbeat-");
  if (adopted != daemon || run("test -d /proc/" + std::to_string(*daemon)).exitCode != 0) {
    return ::testing::AssertionFailure() << "systemctl kill reached the daemon: pid " << *daemon << " became "
                                         << (adopted ? std::to_string(*adopted) : "none");
  }
  return ::testing::AssertionSuccess();
}

std::string BootFixture::unitEnabled() { return trimmed(run("systemctl is-enabled daemonlet.service").out); }

std::string BootFixture::unitActive() { return trimmed(run("systemctl is-active daemonlet.service").out); }

std::string BootFixture::describe(const CommandResult& result) const {
  return "exit " + std::to_string(result.exitCode) + (result.timedOut ? " (timed out)" : "") + "\nstdout:\n" +
         result.out + "stderr:\n" + result.err;
}

}  // namespace daemonlet::boot
