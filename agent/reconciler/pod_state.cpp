#include "agent/reconciler/pod_state.h"

#include <cstdio>
#include <random>

#include "agent/model/pod_rules.h"

namespace daemonlet::reconciler {

ContainerSlot* PodState::findContainer(const std::string& name, bool init) {
  auto& slots = init ? initContainers : containers;
  for (auto& slot : slots) {
    if (slot.name == name) return &slot;
  }
  return nullptr;
}

bool PodState::anyRunning() const {
  for (const auto* slots : {&initContainers, &containers}) {
    for (const auto& slot : *slots) {
      if (slot.state == decision::ContainerState::Running) return true;
    }
  }
  return false;
}

void initialiseSlots(PodState& pod) {
  if (!pod.daemonSet) return;
  const model::PodSpec& spec = pod.daemonSet->spec.template_.spec;
  pod.initContainers.clear();
  pod.containers.clear();
  for (const auto& c : spec.initContainers) {
    ContainerSlot slot;
    slot.name = c.name;
    slot.init = true;
    slot.sidecar = model::isSidecar(c, true);
    pod.initContainers.push_back(slot);
  }
  for (const auto& c : spec.containers) {
    ContainerSlot slot;
    slot.name = c.name;
    pod.containers.push_back(slot);
  }
}

std::string podNameFor(const std::string& daemonSetName, const std::string& uid) {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::uint64_t hash = 1469598103934665603ull;
  for (char c : uid) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  std::string suffix;
  for (int i = 0; i < 5; ++i) {
    suffix += kAlphabet[hash % (sizeof(kAlphabet) - 1)];
    hash /= (sizeof(kAlphabet) - 1);
  }
  // A pod name may be 253 characters, but Kubernetes' name generator
  // (apiserver storage/names) keeps generated names within 63: base trimmed to
  // 58, then 5 random characters. We trim to 57, add "-" and 5: at most 63 too.
  std::string base = daemonSetName.substr(0, 63 - 6);
  return base + "-" + suffix;
}

std::string newUid() {
  std::random_device device;
  std::mt19937_64 generator((static_cast<std::uint64_t>(device()) << 32) ^ device());
  std::uint64_t hi = generator();
  std::uint64_t lo = generator();
  hi = (hi & 0xffffffffffff0fffull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;  // RFC 4122 variant
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(hi >> 32), static_cast<unsigned long long>((hi >> 16) & 0xffff),
                static_cast<unsigned long long>(hi & 0xffff), static_cast<unsigned long long>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffull));
  return buffer;
}

}  // namespace daemonlet::reconciler
