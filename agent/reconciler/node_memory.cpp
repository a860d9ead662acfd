#include "agent/reconciler/node_memory.h"

#include <fstream>
#include <limits>

namespace daemonlet::reconciler {

std::int64_t readNodeMemoryBytes(const std::string& meminfoPath) {
  std::ifstream in(meminfoPath);
  std::string key;
  while (in >> key) {
    if (key == "MemTotal:") {
      std::int64_t kib = 0;
      if (!(in >> kib) || kib <= 0 || kib > std::numeric_limits<std::int64_t>::max() / 1024) return 0;
      return kib * 1024;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

}  // namespace daemonlet::reconciler
