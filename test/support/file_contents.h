#pragma once
// The whole content of a file, for tests that read what a process wrote.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace daemonlet::testing {

// Empty when the file cannot be opened: callers wait or compare, they do not fail on a missing file.
inline std::string fileContents(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  if (in) buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace daemonlet::testing
