#include "agent/kubeapi/cri_log_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "agent/base/rfc3339.h"

namespace daemonlet::kubeapi {

void CriLogParser::feed(std::string_view bytes, std::vector<std::string>& out) {
  unfinished_.append(bytes);
  std::size_t start = 0;
  for (;;) {
    auto newline = unfinished_.find('\n', start);
    if (newline == std::string::npos) break;
    entry(std::string_view(unfinished_).substr(start, newline - start), out);
    start = newline + 1;
  }
  unfinished_.erase(0, start);
}

void CriLogParser::entry(std::string_view line, std::vector<std::string>& out) {
  auto firstSpace = line.find(' ');
  if (firstSpace == std::string_view::npos) return;
  auto secondSpace = line.find(' ', firstSpace + 1);
  if (secondSpace == std::string_view::npos) return;
  std::string_view time = line.substr(0, firstSpace);
  std::string_view tag = line.substr(secondSpace + 1, 1);
  std::string_view content = secondSpace + 3 <= line.size() ? line.substr(secondSpace + 3) : std::string_view();
  if (partial_.empty()) partialTime_ = std::string(time);
  partial_.append(content);
  if (tag == "P") return;
  std::string text = std::move(partial_);
  partial_.clear();
  if (options_.since) {
    auto at = base::parseRfc3339(partialTime_);
    if (at && *at < *options_.since) return;
  }
  out.push_back((options_.timestamps ? partialTime_ + " " : std::string()) + text + "\n");
}

std::vector<std::string> logFilesOf(const std::string& path) {
  std::vector<std::string> files;
  std::filesystem::path current(path);
  std::error_code ec;
  std::string prefix = current.filename().string() + ".";
  for (const auto& entry : std::filesystem::directory_iterator(current.parent_path(), ec)) {
    std::string name = entry.path().filename().string();
    // <name>.<UTC timestamp>: the writer's rotations; names sort by time.
    if (name.rfind(prefix, 0) == 0 && name.find(".tmp") == std::string::npos) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  if (std::filesystem::exists(current, ec)) files.push_back(path);
  return files;
}

std::string assembleLines(std::vector<std::string> lines, const LogOptions& options) {
  if (options.tailLines && *options.tailLines >= 0 && lines.size() > static_cast<std::size_t>(*options.tailLines)) {
    lines.erase(lines.begin(), lines.end() - *options.tailLines);
  }
  std::string out;
  for (const auto& line : lines) out += line;
  if (options.limitBytes && *options.limitBytes >= 0 && out.size() > static_cast<std::size_t>(*options.limitBytes)) {
    out.resize(static_cast<std::size_t>(*options.limitBytes));
  }
  return out;
}

std::string readLogs(const std::vector<std::string>& files, const LogOptions& options) {
  CriLogParser parser(options);
  std::vector<std::string> lines;
  char buffer[64 * 1024];
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) parser.feed(std::string_view(buffer, in.gcount()), lines);
  }
  return assembleLines(std::move(lines), options);
}

}  // namespace daemonlet::kubeapi
