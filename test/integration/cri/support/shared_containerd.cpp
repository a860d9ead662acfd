#include "test/integration/cri/support/shared_containerd.h"

#include <memory>

namespace daemonlet::testing {

ContainerdFixture& sharedContainerd() {
  static const std::unique_ptr<ContainerdFixture> instance = [] {
    auto fixture = std::make_unique<ContainerdFixture>();
    (void)fixture->start();
    return fixture;
  }();
  return *instance;
}

}  // namespace daemonlet::testing
