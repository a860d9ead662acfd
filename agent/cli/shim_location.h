#pragma once
// Where `daemonlet run` finds the shim that parents each container: a path that
// depends on how this binary was built or installed, so it lives with the binary.
#include <string>
#include <vector>

namespace daemonlet::cli {

// One shim runs per container, so its start time and memory count per daemon:
// prefer the small static `daemonlet-shim` (beside us in the build tree, in
// ../lib/daemonlet when installed) over re-executing this large binary
// (`daemonlet shim`), whose dynamic loading costs more per container
// (bench/README.md).
std::vector<std::string> shimCommand();

}  // namespace daemonlet::cli
