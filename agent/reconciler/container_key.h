#pragma once
// Which container of which pod: the key the reconciler tracks starts in flight
// by, and the slot a runtime report or a probe result is for. An init
// container and a main container may share a name, so `init` is part of the key.
#include <compare>
#include <string>

#include "agent/reconciler/pod_state.h"
#include "runtime/runtime.h"

namespace daemonlet::reconciler {

struct ContainerKey {
  std::string podUid;
  std::string name;
  bool init = false;

  auto operator<=>(const ContainerKey&) const = default;

  static ContainerKey of(const PodState& pod, const ContainerSlot& slot) {
    return {pod.ref.uid, slot.name, slot.init};
  }
  static ContainerKey of(const runtime::ContainerStatus& status) {
    return {status.pod.uid, status.containerName, status.init};
  }
};

}  // namespace daemonlet::reconciler
