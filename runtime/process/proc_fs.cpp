#include "runtime/process/proc_fs.h"

#include <dirent.h>

#include <cstdlib>
#include <optional>
#include <string_view>

#include "runtime/process/file_io.h"

namespace daemonlet::runtime::process {

base::Result<ProcStat> readProcStat(pid_t pid) {
  auto text = readWholeFile("/proc/" + std::to_string(pid) + "/stat");
  if (!text) return text.error();
  // comm (field 2) may hold spaces and parentheses; the fields after the last ')'
  // are plain numbers.
  auto close = text->rfind(')');
  if (close == std::string::npos) {
    return base::makeError(base::ErrorCode::kIo, "unparseable stat", "/proc/" + std::to_string(pid) + "/stat");
  }
  std::vector<std::string> fields;
  for (std::string_view word : splitWords(std::string_view(*text).substr(close + 1))) fields.emplace_back(word);
  // fields[0] is field 3 (state); starttime is field 22, so fields[19].
  if (fields.size() < 20) {
    return base::makeError(base::ErrorCode::kIo, "short stat", "/proc/" + std::to_string(pid) + "/stat");
  }
  ProcStat stat;
  stat.state = fields[0].empty() ? '?' : fields[0][0];
  stat.parentPid = static_cast<pid_t>(std::strtol(fields[1].c_str(), nullptr, 10));
  stat.processGroup = static_cast<pid_t>(std::strtol(fields[2].c_str(), nullptr, 10));
  stat.session = static_cast<pid_t>(std::strtol(fields[3].c_str(), nullptr, 10));
  stat.startTime = std::strtoull(fields[19].c_str(), nullptr, 10);
  return stat;
}

bool isSameLiveProcess(pid_t pid, std::uint64_t startTime) {
  if (pid <= 0) return false;
  auto stat = readProcStat(pid);
  return stat && stat->startTime == startTime && stat->state != 'Z' && stat->state != 'X';
}

Liveness processLiveness(pid_t pid, std::uint64_t startTime) {
  if (pid <= 0) return Liveness::kGone;
  auto stat = readProcStat(pid);
  if (!stat) return stat.error().code == base::ErrorCode::kNotFound ? Liveness::kGone : Liveness::kUnknown;
  return stat->startTime == startTime && stat->state != 'Z' && stat->state != 'X' ? Liveness::kAlive
                                                                                   : Liveness::kGone;
}

long processUid(pid_t pid) {
  auto status = readWholeFile("/proc/" + std::to_string(pid) + "/status");
  if (!status) return -1;
  auto at = status->find("\nUid:");
  if (at == std::string::npos) return -1;
  return std::strtol(status->c_str() + at + 5, nullptr, 10);
}

namespace {

// The pids /proc/<parent>/task/*/children lists, or nullopt when the kernel
// has no such file.
std::optional<std::vector<pid_t>> childrenOf(pid_t parent) {
  const std::string taskDir = "/proc/" + std::to_string(parent) + "/task";
  DIR* tasks = ::opendir(taskDir.c_str());
  if (tasks == nullptr) return std::vector<pid_t>{};  // the parent is gone: no children
  std::vector<pid_t> children;
  bool readable = false;
  while (dirent* task = ::readdir(tasks)) {
    if (task->d_name[0] == '.') continue;
    auto listed = readWholeFile(taskDir + "/" + task->d_name + "/children");
    if (!listed) continue;
    readable = true;
    for (std::string_view word : splitWords(*listed)) {
      long pid = std::strtol(std::string(word).c_str(), nullptr, 10);
      if (pid > 0) children.push_back(static_cast<pid_t>(pid));
    }
  }
  ::closedir(tasks);
  if (!readable) return std::nullopt;
  return children;
}

std::vector<pid_t> everyProcess() {
  std::vector<pid_t> pids;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return pids;
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    long pid = std::strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0' && pid > 0) pids.push_back(static_cast<pid_t>(pid));
  }
  ::closedir(proc);
  return pids;
}

}  // namespace

std::vector<MarkedProcess> findChildrenWithEnvironment(pid_t parent, const std::string& name,
                                                       const std::string& scopeName, const std::string& scopeValue) {
  std::vector<MarkedProcess> found;
  if (parent <= 0) return found;
  auto children = childrenOf(parent);
  const std::vector<pid_t> candidates = children ? std::move(*children) : everyProcess();
  const std::string prefix = name + "=";
  const std::string scope = scopeName + "=" + scopeValue;
  for (pid_t pid : candidates) {
    auto environ = readWholeFile("/proc/" + std::to_string(pid) + "/environ");
    if (!environ) continue;
    std::optional<std::string> value;
    bool inScope = false;
    size_t at = 0;
    while (at < environ->size()) {
      size_t stop = environ->find('\0', at);
      if (stop == std::string::npos) stop = environ->size();
      std::string_view variable(environ->data() + at, stop - at);
      if (variable.substr(0, prefix.size()) == prefix) value = std::string(variable.substr(prefix.size()));
      if (variable == scope) inScope = true;
      at = stop + 1;
    }
    if (!value || !inScope) continue;
    auto stat = readProcStat(pid);
    if (stat && stat->state != 'Z' && stat->state != 'X' && stat->parentPid == parent) {
      found.push_back(MarkedProcess{pid, *value, *stat});
    }
  }
  return found;
}

base::Result<std::vector<std::string>> processEnvironment(pid_t pid) {
  auto environ = readWholeFile("/proc/" + std::to_string(pid) + "/environ");
  if (!environ) return environ.error();
  std::vector<std::string> variables;
  size_t at = 0;
  while (at < environ->size()) {
    size_t stop = environ->find('\0', at);
    if (stop == std::string::npos) stop = environ->size();
    if (stop > at) variables.emplace_back(environ->substr(at, stop - at));
    at = stop + 1;
  }
  return variables;
}

std::string currentBootId() {
  auto text = readWholeFile("/proc/sys/kernel/random/boot_id");
  if (!text) return {};
  std::string id = *text;
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id;
}

std::string cgroupV2PathOf(pid_t pid) {
  auto text = readWholeFile("/proc/" + std::to_string(pid) + "/cgroup");
  if (!text) return {};
  std::string_view rest(*text);
  while (!rest.empty()) {
    std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    if (line.substr(0, 3) == "0::") return std::string(line.substr(3));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return {};
}

std::vector<std::string_view> splitWords(std::string_view text) {
  std::vector<std::string_view> words;
  constexpr std::string_view kSpace = " \t\n\r\v\f";
  std::size_t at = text.find_first_not_of(kSpace);
  while (at != std::string_view::npos) {
    std::size_t end = text.find_first_of(kSpace, at);
    words.push_back(text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
    at = end == std::string_view::npos ? end : text.find_first_not_of(kSpace, end);
  }
  return words;
}

}  // namespace daemonlet::runtime::process
