#pragma once
// The node's memory capacity as the kubelet sees it (cadvisor's MemoryCapacity:
// MemTotal of /proc/meminfo), for the Burstable oom_score_adj (decision/qos.h).
#include <cstdint>
#include <string>

namespace daemonlet::reconciler {

// Bytes; 0 when the file cannot be read or has no MemTotal line.
std::int64_t readNodeMemoryBytes(const std::string& meminfoPath = "/proc/meminfo");

}  // namespace daemonlet::reconciler
