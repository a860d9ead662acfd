#pragma once
// One private containerd per test binary (process): started by the first test that
// asks, torn down when the process exits (static destruction; a crash leaves
// containerd to PR_SET_PDEATHSIG and the rest to the next reboot's tmp cleanup).
// Tests that need their own (restarting or wiping it) make a ContainerdFixture.
#include "test/integration/cri/support/containerd_fixture.h"

namespace daemonlet::testing {

// Started once; check running() and lastError() before use: a failed start is
// not retried, so every test of the binary reports the same cause.
ContainerdFixture& sharedContainerd();

// Makes the shared containerd start with a pod network (enablePodNetwork()), so
// pods that are not hostNetwork get one from the first sandbox on. Only takes
// effect before the first sharedContainerd() call: call it from a static
// initialiser of the test binary that needs it.
void requestSharedPodNetwork();

}  // namespace daemonlet::testing
