#include "test/integration/cri/support/host_cleanup.h"
#include "test/support/file_contents.h"

#include <dirent.h>
#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace daemonlet::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::vector<int> allPids() {
  std::vector<int> pids;
  DIR* proc = ::opendir("/proc");
  if (!proc) return pids;
  while (dirent* entry = ::readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (*end == '\0' && pid > 0 && pid != ::getpid()) pids.push_back(static_cast<int>(pid));
  }
  ::closedir(proc);
  return pids;
}

// The state letter and parent pid from /proc/<pid>/stat; state 0 when gone.
std::pair<char, int> stateAndParent(int pid) {
  const std::string stat = fileContents("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 4 >= stat.size()) return {0, 0};
  return {stat[close + 2], std::atoi(stat.c_str() + close + 4)};
}

// /proc/self/mountinfo's mount point field, with its octal escapes undone.
std::string unescapeMountPoint(const std::string& field) {
  std::string out;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      out.push_back(static_cast<char>(std::strtol(field.substr(i + 1, 3).c_str(), nullptr, 8)));
      i += 3;
    } else {
      out.push_back(field[i]);
    }
  }
  return out;
}

bool isAtOrBelow(const std::string& path, const std::string& dir) {
  return path == dir ||
         (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

}  // namespace

bool processAlive(int pid) {
  const char state = stateAndParent(pid).first;
  return state != 0 && state != 'Z' && state != 'X';
}

std::vector<int> processesWithCommandLine(const std::string& needle) {
  std::vector<int> found;
  for (int pid : allPids()) {
    std::string cmdline = fileContents("/proc/" + std::to_string(pid) + "/cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(needle) != std::string::npos && processAlive(pid)) found.push_back(pid);
  }
  return found;
}

std::vector<int> descendantsOf(const std::vector<int>& roots) {
  std::multimap<int, int> children;
  for (int pid : allPids()) {
    const auto [state, parent] = stateAndParent(pid);
    if (state != 0) children.emplace(parent, pid);
  }
  std::vector<int> out;
  std::vector<int> todo(roots.begin(), roots.end());
  std::set<int> seen(roots.begin(), roots.end());
  while (!todo.empty()) {
    const int pid = todo.back();
    todo.pop_back();
    const auto [first, last] = children.equal_range(pid);
    for (auto it = first; it != last; ++it) {
      if (!seen.insert(it->second).second) continue;
      todo.push_back(it->second);
      if (processAlive(it->second)) out.push_back(it->second);
    }
  }
  return out;
}

bool killAll(const std::vector<int>& pids, std::chrono::milliseconds timeout) {
  for (int pid : pids) ::kill(pid, SIGKILL);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (std::none_of(pids.begin(), pids.end(), processAlive)) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
}

std::vector<fs::path> mountsUnder(const fs::path& dir) {
  std::vector<fs::path> found;
  std::istringstream lines(fileContents("/proc/self/mountinfo"));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mountPoint;
    fields >> id >> parent >> device >> root >> mountPoint;
    const std::string path = unescapeMountPoint(mountPoint);
    if (isAtOrBelow(path, dir.string())) found.emplace_back(path);
  }
  std::sort(found.begin(), found.end(),
            [](const fs::path& a, const fs::path& b) { return a.string().size() > b.string().size(); });
  return found;
}

std::vector<fs::path> unmountUnder(const fs::path& dir) {
  // A path can be mounted more than once (stacked); a few rounds undo the stack.
  for (int round = 0; round < 4; ++round) {
    const auto mounts = mountsUnder(dir);
    if (mounts.empty()) break;
    for (const fs::path& mount : mounts) ::umount2(mount.c_str(), MNT_DETACH);
  }
  return mountsUnder(dir);
}

std::vector<fs::path> cgroupDirs(const std::string& relative) {
  std::vector<fs::path> found;
  std::error_code ec;
  const fs::path rel = fs::path(relative).relative_path();
  if (rel.empty()) return found;
  for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec)) {
    const fs::path dir = hierarchy.path() / rel;
    if (fs::is_directory(dir, ec)) found.push_back(dir);
  }
  return found;
}

std::vector<fs::path> removeCgroupTree(const std::string& relative) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const fs::path& top : cgroupDirs(relative)) {
    dirs.push_back(top);
    for (auto it = fs::recursive_directory_iterator(top, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_directory(ec)) dirs.push_back(it->path());
    }
  }
  std::vector<int> pids;
  for (const fs::path& dir : dirs) {
    std::istringstream procs(fileContents(dir / "cgroup.procs"));
    for (int pid; procs >> pid;) pids.push_back(pid);
  }
  killAll(pids, 5s);
  std::sort(dirs.begin(), dirs.end(),
            [](const fs::path& a, const fs::path& b) { return a.string().size() > b.string().size(); });
  std::vector<fs::path> left;
  for (const fs::path& dir : dirs) {
    // rmdir, not remove_all: a cgroup directory is removed whole or not at all.
    if (::rmdir(dir.c_str()) != 0 && fs::exists(dir, ec)) left.push_back(dir);
  }
  return left;
}

std::vector<std::string> cgroupsOf(const std::vector<int>& pids) {
  std::set<std::string> found;
  for (int pid : pids) {
    // "<id>:<controllers>:<path>" per hierarchy.
    std::istringstream lines(fileContents("/proc/" + std::to_string(pid) + "/cgroup"));
    for (std::string line; std::getline(lines, line);) {
      const auto colon = line.find(':', line.find(':') + 1);
      if (colon == std::string::npos) continue;
      const std::string path = line.substr(colon + 1);
      if (path.size() > 1) found.insert(path);
    }
  }
  return {found.begin(), found.end()};
}

void removeEmptyCgroups(const std::vector<std::string>& relatives) {
  for (const std::string& relative : relatives) {
    for (fs::path path = fs::path(relative).relative_path(); std::distance(path.begin(), path.end()) > 1;
         path = path.parent_path()) {
      for (const fs::path& dir : cgroupDirs("/" + path.string())) ::rmdir(dir.c_str());
    }
  }
}

}  // namespace daemonlet::testing
