#include "test/integration/cri/support/test_images.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "test/integration/cri/support/oci_image.h"
#include "test/integration/support/run_command.h"

namespace daemonlet::testing {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kEnv = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};

bool makeBusyboxRootfs(const fs::path& rootfs, std::string& error) {
  std::error_code ec;
  if (!fs::exists(kBusyboxBinary)) {
    error = std::string(kBusyboxBinary) + " not found: run packaging/install-test-deps.sh (busybox-static)";
    return false;
  }
  for (const char* dir : {"bin", "etc", "tmp", "root", "home/user", "proc", "sys", "dev", "var/log"}) {
    fs::create_directories(rootfs / dir, ec);
  }
  ::chmod((rootfs / "tmp").c_str(), 01777);
  fs::copy_file(kBusyboxBinary, rootfs / "bin" / "busybox", fs::copy_options::overwrite_existing, ec);
  if (ec) {
    error = "copying busybox: " + ec.message();
    return false;
  }
  const CommandResult list = runCommand({kBusyboxBinary, "--list"});
  if (list.exitCode != 0) {
    error = "busybox --list: " + list.err;
    return false;
  }
  std::istringstream applets(list.out);
  for (std::string applet; std::getline(applets, applet);) {
    if (applet.empty() || applet == "busybox") continue;
    fs::create_symlink("busybox", rootfs / "bin" / applet, ec);
  }
  // Numeric users resolve without these; names (and `id`) need them.
  std::ofstream(rootfs / "etc" / "passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                              "user:x:1000:1000:user:/home/user:/bin/sh\n"
                                              "nobody:x:65534:65534:nobody:/:/bin/false\n";
  std::ofstream(rootfs / "etc" / "group") << "root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n";
  return true;
}

bool makePauseRootfs(const fs::path& rootfs, std::string& error) {
  std::error_code ec;
  fs::create_directories(rootfs, ec);
  fs::copy_file(DAEMONLET_PAUSE_PATH, rootfs / "pause", fs::copy_options::overwrite_existing, ec);
  if (ec) {
    error = std::string("copying ") + DAEMONLET_PAUSE_PATH + ": " + ec.message();
    return false;
  }
  return true;
}

}  // namespace

bool buildTestImages(const fs::path& dir, TestImageArchives& out, std::string& error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path busyboxRoot = dir / "busybox-rootfs";
  const fs::path pauseRoot = dir / "pause-rootfs";
  if (!makeBusyboxRootfs(busyboxRoot, error) || !makePauseRootfs(pauseRoot, error)) return false;

  out.busybox = dir / "busybox.tar";
  out.busyboxNonRoot = dir / "busybox-nonroot.tar";
  out.pause = dir / "pause.tar";
  OciImageSpec busybox{kBusyboxImage, busyboxRoot, "0", {}, {"sh"}, kEnv};
  OciImageSpec nonRoot{kBusyboxNonRootImage, busyboxRoot, "1000", {}, {"sh"}, kEnv};
  OciImageSpec pause{kPauseImage, pauseRoot, "", {"/pause"}, {}, kEnv};
  return writeOciArchive(busybox, dir / "work", out.busybox, error) &&
         writeOciArchive(nonRoot, dir / "work", out.busyboxNonRoot, error) &&
         writeOciArchive(pause, dir / "work", out.pause, error);
}

}  // namespace daemonlet::testing
