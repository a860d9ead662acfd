#pragma once
// The images of the CRI tests, built at test time (no network, no registry):
// busybox from Debian's busybox-static with every applet linked in /bin, once as
// root and once with config.User "1000" (runAsNonRoot checks), and the pause image
// (test/helpers/pause.c). imported into a containerd's k8s.io namespace, where the
// CRI sees them.
#include <filesystem>
#include <string>

namespace daemonlet::testing {

inline constexpr const char* kBusyboxImage = "localhost/daemonlet-test/busybox:1";
inline constexpr const char* kBusyboxNonRootImage = "localhost/daemonlet-test/busybox-nonroot:1";
inline constexpr const char* kPauseImage = "localhost/daemonlet-test/pause:1";
inline constexpr const char* kBusyboxBinary = "/bin/busybox";

struct TestImageArchives {
  std::filesystem::path busybox;
  std::filesystem::path busyboxNonRoot;
  std::filesystem::path pause;
};

// Builds the three OCI archives under `dir` (created). False with `error` set
// when busybox-static or a tool is missing.
bool buildTestImages(const std::filesystem::path& dir, TestImageArchives& out, std::string& error);

}  // namespace daemonlet::testing
