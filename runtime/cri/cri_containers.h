#pragma once
// The CRI's container calls as the CRI runtime uses them, answers already in
// adoption's terms (CriContainerView, cri_adoption.h).
//
// Blocking (CRI calls): runs on the CRI runtime's BlockingPool.
#include <string>
#include <vector>

#include "runtime/cri/cri_adoption.h"
#include "runtime/cri/cri_client.h"

namespace daemonlet::runtime::cri {

CriContainerView viewOf(const ::runtime::v1::Container& container);
CriContainerView viewOf(const ::runtime::v1::ContainerStatus& status);

// Our containers (this agent's labels), optionally of one pod; states and ids
// only (ListContainers), no exit codes.
base::Result<std::vector<CriContainerView>> listOurContainers(const CriClient& client, const std::string& agentId,
                                                              const std::string& podUid);
// One container in full (ContainerStatus): exit code, reason, times.
base::Result<CriContainerView> containerStatus(const CriClient& client, const std::string& criId);

// Creates and starts a container in `sandboxId`, taking over an instance of the
// same name and attempt that an earlier start left behind: a running one is
// returned as it is (never a second copy), a created one is started, an exited
// one is removed first (its name stays reserved until then).
struct ContainerLaunch {
  std::string sandboxId;
  const ::runtime::v1::PodSandboxConfig* sandboxConfig = nullptr;
  const ::runtime::v1::ContainerConfig* config = nullptr;
  std::string agentId;
  std::string podUid;
};
// Errors carry which step failed in `context`: "CreateContainer" or
// "StartContainer" (a start failure leaves nothing behind: the container is
// removed).
base::Result<CriContainerView> launchContainer(const CriClient& client, const ContainerLaunch& launch,
                                               std::chrono::milliseconds startTimeout);

base::Status stopContainer(const CriClient& client, const std::string& criId, std::chrono::seconds grace);
base::Status removeContainer(const CriClient& client, const std::string& criId);
base::Status reopenContainerLog(const CriClient& client, const std::string& criId);

}  // namespace daemonlet::runtime::cri
