#pragma once
// Where the agent finds daemonlet-cri.so: a path that depends on how the
// daemonlet binary was built or installed, so it is found relative to the binary,
// the way the shim is (agent/cli/shim_location.h).
#include <string>

namespace daemonlet::runtime::cri_plugin {

// The first of <dir of /proc/self/exe>/daemonlet-cri.so (a build tree) and
// <dir>/../lib/daemonlet/daemonlet-cri.so (installed) that exists; the installed
// path when neither does, so the error message names where it should be.
std::string criPluginPath();

}  // namespace daemonlet::runtime::cri_plugin
