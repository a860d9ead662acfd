#pragma once
// Reading the files named on the command line: a path, or "-" for standard input.
// Kept apart from the subcommands so every one reports unreadable input the same way.
#include <istream>
#include <string>

#include "agent/base/result.h"

namespace daemonlet::cli {

struct InputFile {
  std::string displayName;  // the path as given, or "<stdin>" for "-"
  std::string content;
};

// Refuses input larger than kMaxInputBytes (the document reader would refuse it
// anyway; stopping early keeps a mistaken `validate /dev/zero` from eating memory).
inline constexpr std::size_t kMaxInputBytes = 16 * 1024 * 1024;

// Errors (kNotFound, kIo, kInvalidArgument for a directory or oversized input)
// carry the path as context and a message in the words of the OS.
base::Result<InputFile> readInputFile(const std::string& path, std::istream& standardInput);

}  // namespace daemonlet::cli
