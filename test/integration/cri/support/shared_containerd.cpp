#include "test/integration/cri/support/shared_containerd.h"

#include <memory>

namespace daemonlet::testing {
namespace {

bool& podNetworkRequested() {
  static bool requested = false;
  return requested;
}

}  // namespace

void requestSharedPodNetwork() { podNetworkRequested() = true; }

ContainerdFixture& sharedContainerd() {
  static const std::unique_ptr<ContainerdFixture> instance = [] {
    auto fixture = std::make_unique<ContainerdFixture>();
    if (!podNetworkRequested() || fixture->enablePodNetwork()) (void)fixture->start();
    return fixture;
  }();
  return *instance;
}

}  // namespace daemonlet::testing
