#include "agent/base/file_limit.h"

namespace daemonlet::base {

FileLimitChange raiseOpenFileLimit() {
  FileLimitChange change;
  if (::getrlimit(RLIMIT_NOFILE, &change.original) != 0) return change;
  change.now = change.original;
  if (change.original.rlim_cur == change.original.rlim_max) return change;
  rlimit wanted = change.original;
  wanted.rlim_cur = wanted.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &wanted) == 0) {
    change.now = wanted;
    change.raised = true;
  }
  return change;
}

}  // namespace daemonlet::base
