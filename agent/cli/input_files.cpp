#include "agent/cli/input_files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace daemonlet::cli {
namespace {

// Reads at most kMaxInputBytes + 1 bytes so oversized input is detected without
// reading all of it.
base::Result<std::string> readBounded(std::istream& in, const std::string& name) {
  std::string content;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    content.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (content.size() > kMaxInputBytes) {
      return base::makeError(base::ErrorCode::kInvalidArgument,
                             "input larger than " + std::to_string(kMaxInputBytes) + " bytes", name);
    }
  }
  if (in.bad()) return base::makeError(base::ErrorCode::kIo, "read failed", name);
  return content;
}

}  // namespace

base::Result<InputFile> readInputFile(const std::string& path, std::istream& standardInput) {
  if (path == "-") {
    auto content = readBounded(standardInput, "<stdin>");
    if (!content) return content.error();
    return InputFile{"<stdin>", std::move(*content)};
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "is a directory", path);
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int savedErrno = errno;
    const auto code = savedErrno == ENOENT ? base::ErrorCode::kNotFound : base::ErrorCode::kIo;
    return base::makeError(code, savedErrno != 0 ? std::strerror(savedErrno) : "cannot open", path);
  }
  auto content = readBounded(file, path);
  if (!content) return content.error();
  return InputFile{path, std::move(*content)};
}

}  // namespace daemonlet::cli
