#include "bench/proc_sample.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace daemonlet::bench {
namespace fs = std::filesystem;
namespace {

std::string readSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Fields of /proc/PID/stat after the command name, which may hold spaces and
// parentheses: field 3 (state) is fields[0].
std::vector<std::string> statFieldsAfterName(pid_t pid) {
  std::string text = readSmallFile("/proc/" + std::to_string(pid) + "/stat");
  std::vector<std::string> fields;
  auto close = text.rfind(')');
  if (close == std::string::npos) return fields;
  std::istringstream rest(text.substr(close + 1));
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

std::vector<pid_t> numericEntries(const std::string& dir) {
  std::vector<pid_t> ids;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    ids.push_back(static_cast<pid_t>(std::atol(name.c_str())));
  }
  return ids;
}

std::string linkTarget(const std::string& path) {
  std::error_code ec;
  auto target = fs::read_symlink(path, ec);
  return ec ? std::string() : target.string();
}

}  // namespace

std::map<pid_t, pid_t> parentsOfAll() {
  std::map<pid_t, pid_t> parents;
  for (pid_t pid : numericEntries("/proc")) {
    auto fields = statFieldsAfterName(pid);
    if (fields.size() < 2 || fields[0] == "Z") continue;
    parents[pid] = static_cast<pid_t>(std::atol(fields[1].c_str()));
  }
  return parents;
}

std::set<pid_t> subtreeOf(pid_t root, const std::map<pid_t, pid_t>& parents) {
  std::set<pid_t> tree;
  if (!parents.contains(root)) return tree;
  tree.insert(root);
  // Parents usually have smaller pids, but wrap-around breaks that: iterate to a fixpoint.
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [pid, parent] : parents) {
      if (tree.contains(parent) && tree.insert(pid).second) grew = true;
    }
  }
  return tree;
}

std::string exePath(pid_t pid) { return linkTarget("/proc/" + std::to_string(pid) + "/exe"); }

std::string cwdPath(pid_t pid) { return linkTarget("/proc/" + std::to_string(pid) + "/cwd"); }

std::vector<std::string> commandLine(pid_t pid) {
  std::string text = readSmallFile("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> argv;
  std::string::size_type start = 0;
  while (start < text.size()) {
    auto end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    argv.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return argv;
}

bool isAlive(pid_t pid) {
  auto fields = statFieldsAfterName(pid);
  return !fields.empty() && fields[0] != "Z" && fields[0] != "X";
}

Memory memoryOf(pid_t pid) {
  Memory memory;
  std::istringstream lines(readSmallFile("/proc/" + std::to_string(pid) + "/smaps_rollup"));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string key;
    std::int64_t kib = 0;
    words >> key >> kib;
    if (key == "Rss:") memory.rssKiB = kib;
    if (key == "Pss:") memory.pssKiB = kib;
  }
  return memory;
}

std::int64_t cpuNanos(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::int64_t total = 0;
  bool haveSchedstat = false;
  for (pid_t tid : numericEntries(base + "/task")) {
    std::istringstream words(readSmallFile(base + "/task/" + std::to_string(tid) + "/schedstat"));
    std::int64_t runNanos = 0;
    if (words >> runNanos) {
      total += runNanos;
      haveSchedstat = true;
    }
  }
  if (haveSchedstat) return total;
  auto fields = statFieldsAfterName(pid);  // utime and stime are fields 14 and 15
  if (fields.size() < 13) return 0;
  const std::int64_t ticks = std::atoll(fields[11].c_str()) + std::atoll(fields[12].c_str());
  return ticks * 1'000'000'000LL / sysconf(_SC_CLK_TCK);
}

std::int64_t contextSwitches(pid_t pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::int64_t total = 0;
  for (pid_t tid : numericEntries(base + "/task")) {
    std::istringstream lines(readSmallFile(base + "/task/" + std::to_string(tid) + "/status"));
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("voluntary_ctxt_switches:") || line.starts_with("nonvoluntary_ctxt_switches:")) {
        total += std::atoll(line.substr(line.find(':') + 1).c_str());
      }
    }
  }
  return total;
}

}  // namespace daemonlet::bench
