// The packages operators install: cpack builds the .deb and .rpm from this build
// tree once per test run; the tests look inside them with the distributions' own
// tools and run the agent from the extracted .deb with its packaged config.
#include <set>

#include "test/integration/agent/agent_fixture.h"
#include "test/integration/support/run_command.h"

namespace daemonlet::e2e {
namespace {

using testing::runCommand;

const fs::path kBuildDir = DAEMONLET_BUILD_DIR;
const std::string kVersion = DAEMONLET_VERSION_TEXT;

struct Packages {
  fs::path deb;
  fs::path rpm;
  fs::path extracted;  // the .deb unpacked with dpkg-deb -x
  std::string problems;
};

// Built once for all tests: cpack takes seconds, and every test reads the same files.
const Packages& packages() {
  static const Packages built = [] {
    Packages out;
    for (const char* generator : {"DEB", "RPM"}) {
      auto result = runCommand({"/usr/bin/cpack", "-G", generator, "--config",
                                (kBuildDir / "CPackConfig.cmake").string(), "-B", (kBuildDir / "packages").string()},
                               {}, std::chrono::minutes(4));
      if (result.exitCode != 0) out.problems += std::string("cpack -G ") + generator + " failed:\n" + result.out + result.err;
    }
    out.deb = kBuildDir / "packages" / ("daemonlet_" + kVersion + "_amd64.deb");
    out.rpm = kBuildDir / "packages" / ("daemonlet-" + kVersion + "-1.x86_64.rpm");
    char pattern[] = "/tmp/daemonlet-pkg-XXXXXX";
    if (mkdtemp(pattern) == nullptr) {
      out.problems += "mkdtemp failed\n";
      return out;
    }
    out.extracted = pattern;
    auto extract = runCommand({"/usr/bin/dpkg-deb", "-x", out.deb.string(), out.extracted.string()});
    if (extract.exitCode != 0) out.problems += "dpkg-deb -x failed: " + extract.err;
    return out;
  }();
  return built;
}

std::set<std::string> lines(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.insert(line);
  }
  return out;
}

// The paths a .deb installs ("./usr/bin/daemonlet" -> "/usr/bin/daemonlet"), files only.
std::set<std::string> debFiles(const fs::path& deb) {
  std::set<std::string> out;
  auto listing = runCommand({"/usr/bin/dpkg-deb", "-c", deb.string()});
  for (const auto& line : lines(listing.out)) {
    if (line[0] != '-') continue;  // regular files only
    auto dot = line.find(" ./");
    if (dot != std::string::npos) out.insert(line.substr(dot + 2));
  }
  return out;
}

const std::vector<std::string> kInstalledFiles = {
    "/usr/bin/daemonlet",
    "/usr/lib/daemonlet/daemonlet-shim",
    "/usr/lib/daemonlet/daemonlet-cri.so",
    "/usr/lib/systemd/system/daemonlet.service",
    "/etc/daemonlet/config.yaml",
    "/usr/share/doc/daemonlet/README.md",
    "/usr/share/daemonlet/examples/host/heartbeat.yaml",
    "/usr/share/doc/daemonlet/copyright",
    "/usr/share/doc/daemonlet/changelog.gz",
    "/usr/share/man/man8/daemonlet.8.gz",
    "/usr/share/man/man5/daemonlet.yaml.5.gz",
};

const fs::path kSourceDir = DAEMONLET_SOURCE_DIR;

TEST(PackagingTest, DebHoldsTheAgentShimUnitAndConfigAsConffile) {
  const Packages& built = packages();
  ASSERT_TRUE(built.problems.empty()) << built.problems;
  auto files = debFiles(built.deb);
  for (const auto& path : kInstalledFiles) EXPECT_TRUE(files.count(path)) << path << " missing from the .deb";

  auto fields = runCommand(
      {"/usr/bin/dpkg-deb", "-f", built.deb.string(), "Package", "Version", "Depends", "Recommends", "Maintainer"});
  EXPECT_NE(fields.out.find("Package: daemonlet"), std::string::npos) << fields.out;
  EXPECT_NE(fields.out.find("Version: " + kVersion), std::string::npos) << fields.out;
  // libstdc++ and the like are computed from the binary; libcurl and libsystemd are
  // opened with dlopen (agent/base/shared_library.h), so cpack.cmake names them.
  EXPECT_NE(fields.out.find("libstdc++6"), std::string::npos) << fields.out;
  EXPECT_NE(fields.out.find("libcurl4"), std::string::npos) << fields.out;
  EXPECT_NE(fields.out.find("libsystemd0"), std::string::npos) << fields.out;
  // cpp-httplib is compiled in without TLS: neither Debian's build nor OpenSSL is needed.
  EXPECT_EQ(fields.out.find("libcpp-httplib"), std::string::npos) << fields.out;
  EXPECT_EQ(fields.out.find("libssl"), std::string::npos) << fields.out;
  // The CRI module's gRPC and protobuf are recommended, not required: a host-only
  // install pulls neither (the agent loads the module only for CRI pods).
  auto depends = runCommand({"/usr/bin/dpkg-deb", "-f", built.deb.string(), "Depends"});
  EXPECT_EQ(depends.out.find("grpc"), std::string::npos) << depends.out;
  EXPECT_EQ(depends.out.find("protobuf"), std::string::npos) << depends.out;
  auto recommends = runCommand({"/usr/bin/dpkg-deb", "-f", built.deb.string(), "Recommends"});
  EXPECT_NE(recommends.out.find("libgrpc++1.51"), std::string::npos) << recommends.out;
  EXPECT_NE(recommends.out.find("libprotobuf32"), std::string::npos) << recommends.out;
  // The default (host pods) needs no container runtime: containerd is only suggested.
  EXPECT_EQ(recommends.out.find("containerd"), std::string::npos) << recommends.out;
  auto suggests = runCommand({"/usr/bin/dpkg-deb", "-f", built.deb.string(), "Suggests"});
  EXPECT_EQ(suggests.out, "containerd\n");
  EXPECT_EQ(fields.out.find("@localhost"), std::string::npos) << fields.out;
  // cpp-httplib is compiled in: its MIT notice is quoted in the copyright file.
  std::string copyright = readFile(built.extracted / "usr/share/doc/daemonlet/copyright");
  EXPECT_NE(copyright.find("Copyright: 2017 yhirose\nLicense: Expat"), std::string::npos) << copyright;
  EXPECT_NE(copyright.find("\nLicense: Expat\n Permission is hereby granted"), std::string::npos) << copyright;

  fs::path control = built.extracted.parent_path() / (built.extracted.filename().string() + "-control");
  auto unpack = runCommand({"/usr/bin/dpkg-deb", "-e", built.deb.string(), control.string()});
  ASSERT_EQ(unpack.exitCode, 0) << unpack.err;
  EXPECT_EQ(lines(readFile(control / "conffiles")), std::set<std::string>{"/etc/daemonlet/config.yaml"});
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    fs::path path = control / script;
    ASSERT_TRUE(fs::exists(path)) << script;
    EXPECT_TRUE((fs::status(path).permissions() & fs::perms::owner_exec) != fs::perms::none) << script;
    auto syntax = runCommand({"/bin/sh", "-n", path.string()});
    EXPECT_EQ(syntax.exitCode, 0) << script << ": " << syntax.err;
  }
  // The systemd blocks are dh_installsystemd's; what they do in each dpkg sequence
  // is maintainer_scripts_test.sh's to check.
  EXPECT_NE(readFile(control / "postinst").find("deb-systemd-helper --quiet was-enabled 'daemonlet.service'"),
            std::string::npos);
  EXPECT_NE(readFile(control / "prerm").find("deb-systemd-invoke stop 'daemonlet.service'"), std::string::npos);
  fs::remove_all(control);
}

TEST(PackagingTest, RpmHoldsTheSameFilesWithConfigNoReplace) {
  const Packages& built = packages();
  ASSERT_TRUE(built.problems.empty()) << built.problems;
  auto listing = runCommand({"/usr/bin/rpm", "-qlp", built.rpm.string()});
  ASSERT_EQ(listing.exitCode, 0) << listing.err;
  auto files = lines(listing.out);
  for (const auto& path : kInstalledFiles) EXPECT_TRUE(files.count(path)) << path << " missing from the .rpm";

  auto configFiles = runCommand({"/usr/bin/rpm", "-qcp", built.rpm.string()});
  EXPECT_EQ(lines(configFiles.out), std::set<std::string>{"/etc/daemonlet/config.yaml"});
  auto scripts = runCommand({"/usr/bin/rpm", "-qp", "--scripts", built.rpm.string()});
  for (const char* section : {"postinstall scriptlet", "preuninstall scriptlet", "postuninstall scriptlet"}) {
    EXPECT_NE(scripts.out.find(section), std::string::npos) << section << " missing:\n" << scripts.out;
  }
  auto required = runCommand({"/usr/bin/rpm", "-qp", "--requires", built.rpm.string()});
  EXPECT_NE(required.out.find("libstdc++"), std::string::npos) << "autoreq still scans the agent:\n" << required.out;
  EXPECT_EQ(required.out.find("grpc"), std::string::npos) << required.out;
  EXPECT_EQ(required.out.find("protobuf"), std::string::npos) << required.out;
  auto recommended = runCommand({"/usr/bin/rpm", "-qp", "--recommends", built.rpm.string()});
  EXPECT_NE(recommended.out.find("libgrpc++.so.1.51"), std::string::npos) << recommended.out;
  auto info = runCommand({"/usr/bin/rpm", "-qip", built.rpm.string()});
  EXPECT_NE(info.out.find("Version     : " + kVersion), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("\nPackager    : "), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("\nURL         : https://"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("keeps them running as host processes"), std::string::npos) << info.out;
  // Not relocatable: the unit names /usr/bin/daemonlet.
  auto prefixes = runCommand({"/usr/bin/rpm", "-qp", "--qf", "%{PREFIXES}", built.rpm.string()});
  EXPECT_EQ(prefixes.out, "(none)");
  auto changelog = runCommand({"/usr/bin/rpm", "-qp", "--changelog", built.rpm.string()});
  EXPECT_NE(changelog.out.find(" - " + kVersion + "-1\n"), std::string::npos) << changelog.out;
  EXPECT_EQ(changelog.out.find("Generated by CPack"), std::string::npos) << changelog.out;
}

// What a Debian maintainer runs before an upload: nothing may be reported but
// the tags packaging/deb/lintian-overrides explains.
TEST(PackagingTest, LintianPedanticReportsNothing) {
  const Packages& built = packages();
  ASSERT_TRUE(built.problems.empty()) << built.problems;
  auto lintian = runCommand({"/usr/bin/lintian", "--pedantic", "--display-info", "--display-experimental",
                             "--fail-on", "error,warning,info,pedantic,experimental", built.deb.string()},
                            {}, std::chrono::minutes(4));
  EXPECT_EQ(lintian.exitCode, 0) << lintian.out << lintian.err;
  EXPECT_EQ(lintian.out, "") << "lintian reported tags not overridden in packaging/deb/lintian-overrides";
}

TEST(PackagingTest, RpmlintReportsNothing) {
  const Packages& built = packages();
  ASSERT_TRUE(built.problems.empty()) << built.problems;
  auto rpmlint = runCommand(
      {"/usr/bin/rpmlint", "-c", (kSourceDir / "packaging/rpm/rpmlint.toml").string(), built.rpm.string()}, {},
      std::chrono::minutes(2));
  EXPECT_EQ(rpmlint.exitCode, 0) << rpmlint.out << rpmlint.err;
  EXPECT_NE(rpmlint.out.find(" 0 errors, 0 warnings"), std::string::npos) << rpmlint.out;
}

TEST(PackagingTest, SystemdUnitPassesVerification) {
  const Packages& built = packages();
  ASSERT_TRUE(built.problems.empty()) << built.problems;
  std::string unit = readFile(built.extracted / "usr/lib/systemd/system/daemonlet.service");
  ASSERT_FALSE(unit.empty());
  // What keeps daemons alive across agent restarts and package upgrades.
  EXPECT_NE(unit.find("\nKillMode=process\n"), std::string::npos);
  // No multi-gigabyte core dumps by default (a daemon may raise its own soft limit).
  EXPECT_NE(unit.find("\nLimitCORE=0:infinity\n"), std::string::npos);
  EXPECT_NE(unit.find("\nType=notify\n"), std::string::npos);
  EXPECT_NE(unit.find("\nExecStart=/usr/bin/daemonlet run --config /etc/daemonlet/config.yaml\n"), std::string::npos);

  // systemd-analyze checks that each Exec command exists (ExecStart, ExecReload):
  // point them at the extracted binary.
  const std::string installed = "/usr/bin/daemonlet";
  const std::string extractedBinary = (built.extracted / "usr/bin/daemonlet").string();
  for (auto at = unit.find(installed); at != std::string::npos; at = unit.find(installed, at + extractedBinary.size())) {
    unit.replace(at, installed.size(), extractedBinary);
  }
  fs::path copy = built.extracted / "daemonlet.service";
  writeFile(copy, unit);
  // verify also looks up the unit's Documentation= man pages: the packaged ones.
  auto verify = runCommand({"/usr/bin/env", "MANPATH=" + (built.extracted / "usr/share/man").string(),
                            "/usr/bin/systemd-analyze", "verify", copy.string()});
  EXPECT_EQ(verify.exitCode, 0) << verify.out << verify.err;
  EXPECT_EQ(verify.err, "") << "systemd-analyze warned about the unit";
}

// The agent from the package, with the packaged config (directories moved to
// temp dirs by flags), runs a daemon through the packaged shim.
class PackagedAgentTest : public AgentE2eTest {};

TEST_F(PackagedAgentTest, RunsDaemonsThroughThePackagedShim) {
  const Packages& built = packages();
  ASSERT_TRUE(built.problems.empty()) << built.problems;
  fs::copy_file(built.extracted / "etc/daemonlet/config.yaml", configPath(), fs::copy_options::overwrite_existing);
  agent_.binary = (built.extracted / "usr/bin/daemonlet").string();
  writeManifest("ds.json", daemonSet("pkg", {"sleep"}));
  startAgent();

  std::vector<int> pids;
  ASSERT_TRUE(waitUntil([&] { return (pids = daemonProcesses("pkg")).size() == 1; })) << "the daemon never started";
  // Its supervisor is the shim installed beside the packaged agent.
  bool viaPackagedShim = false;
  for (int pid : processesWith(marker_)) {
    std::error_code ec;
    if (fs::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec) ==
        fs::weakly_canonical(built.extracted / "usr/lib/daemonlet/daemonlet-shim")) {
      viaPackagedShim = true;
    }
  }
  EXPECT_TRUE(viaPackagedShim) << "no process runs " << built.extracted / "usr/lib/daemonlet/daemonlet-shim";
}

}  // namespace
}  // namespace daemonlet::e2e
