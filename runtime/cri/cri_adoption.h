#pragma once
// Adoption: what a CRI ListContainers / ContainerStatus answer means to the
// reconciler. A restarted agent rebuilds its whole view from these objects, so
// everything it needs is read back from the labels and annotations the config
// mapping wrote (cri_labels.h): the pod, its DaemonSet and revision, the restart
// count. Only objects carrying this agent's ownership labels are ever ours: a
// kubelet sharing the containerd is never listed, stopped or removed.
//
// Pure: the CRI answer arrives as a CriContainerView (plain data, filled from
// the gRPC messages by the client side), so these rules are table-tested
// without containerd.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/runtime.h"

namespace daemonlet::runtime::cri {

using Labels = std::map<std::string, std::string>;

// The CRI's ContainerState values (runtime.v1, same numbers).
enum class CriContainerState { kCreated = 0, kRunning = 1, kExited = 2, kUnknown = 3 };

struct CriContainerView {
  std::string id;            // the bare CRI id, without "containerd://"
  std::string podSandboxId;
  Labels labels;
  Labels annotations;
  std::uint32_t attempt = 0;
  CriContainerState state = CriContainerState::kUnknown;
  std::int64_t createdAtNs = 0;
  std::int64_t startedAtNs = 0;
  std::int64_t finishedAtNs = 0;
  int exitCode = 0;
  std::string reason;        // the CRI's: "OOMKilled", "Completed", "Error"
  std::string message;
  std::string image;         // as the spec named it (from the status' image spec)
  std::string imageRef;      // the runtime's digest reference
  std::string logPath;
};

inline constexpr const char* kContainerIdPrefix = "containerd://";
std::string toContainerId(const std::string& criId);
// Accepts "containerd://<id>" and a bare id; empty when another scheme is named.
std::string criIdOf(const std::string& containerId);

// Created by this agent: managed-by daemonlet and stamped with agentId.
bool ownedBy(const Labels& labels, const std::string& agentId);
PodRef podRefFromLabels(const Labels& labels);
// The kubelet's restart-count annotation when readable, else the CRI attempt.
int restartCountOf(const CriContainerView& view);
// "Completed" for exit 0, "OOMKilled" when the runtime says so, else "Error".
std::string exitReasonOf(int exitCode, const std::string& criReason);

// A container of ours in the Runtime's terms (a CREATED one, never started,
// is kWaiting "ContainerCreating").
ContainerStatus toContainerStatus(const CriContainerView& view);

// Marks `status` exited with the runtime's exit code (128+N after signal N),
// as both a ContainerStatus answer and an exit event report it.
void applyExit(ContainerStatus& status, int exitCode, base::WallTime finishedAt, const std::string& criReason);

// What list() reports from the CRI objects: ours only, every running or unknown
// container, and for each pod/container name the latest exited instance (the
// highest restart count) when none of that name runs. CREATED containers are
// left out: they never ran (an agent stopped between create and start), and the
// next start of that container takes them over instead of making a copy.
std::vector<ContainerStatus> adoptContainers(const std::vector<CriContainerView>& views,
                                             const std::string& agentId);

}  // namespace daemonlet::runtime::cri
