#pragma once
// The `daemonlet` command line: dispatches to subcommands. Exit codes follow
// ../shared/DESIGN.md: 0 success, 1 invalid input (e.g. an invalid DaemonSet),
// 2 usage error or unreadable input.
namespace daemonlet::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;
inline constexpr int kExitUsage = 2;

int runCommandLine(int argc, char** argv);

}  // namespace daemonlet::cli
