#pragma once
// A pod's sandbox: one per pod uid, shared by all its containers. Found again
// after an agent restart by its labels (a READY sandbox of ours for the uid is
// reused); one that is NOTREADY (its pause process died, the node rebooted) is
// replaced by a new attempt, since the old name stays reserved until removed.
//
// Blocking (CRI calls, resolv.conf, volume directories): runs on the CRI
// runtime's BlockingPool.
#include <memory>
#include <string>
#include <vector>

#include "runtime/cri/cri_client.h"
#include "runtime/cri/cri_runtime_options.h"
#include "runtime/cri/pod_volumes.h"
#include "runtime/runtime.h"

namespace daemonlet::runtime::cri {

struct PodSandbox {
  std::string id;
  ::runtime::v1::PodSandboxConfig config;  // also CreateContainer's sandbox_config
  std::vector<std::string> ips;            // empty for hostNetwork pods
  bool hostNetwork = false;
  PodVolumes volumes;
};

// The CRI runtime handler of a pod: its runtimeClassName, or the runtime's
// default for none ("host" pods never reach the CRI runtime).
std::string runtimeHandlerOf(const model::PodSpec& spec);

// The pod's READY sandbox, made when there is none. Errors: kUnavailable for a
// runtime outage, kInvalidArgument for a spec the mapping refuses (a
// CreateContainerConfigError), others for a sandbox the runtime failed to run.
// `daemonSet` (may be null) gives the template's labels, annotations and raw spec.
base::Result<PodSandbox> ensurePodSandbox(const CriClient& client, const PodRef& pod, const model::PodSpec& spec,
                                          const model::DaemonSet* daemonSet, const CriRuntimeOptions& options);

// Our sandboxes: every one of this agent, or of one pod when podUid is given.
base::Result<std::vector<::runtime::v1::PodSandbox>> listOurSandboxes(const CriClient& client,
                                                                     const std::string& agentId,
                                                                     const std::string& podUid);

// Stops and removes every sandbox of ours for the pod (its containers go with
// it: RemovePodSandbox removes them).
base::Status removePodSandboxes(const CriClient& client, const std::string& agentId, const std::string& podUid);

// StopPodSandbox, then RemovePodSandbox, of one sandbox; one already gone is fine.
base::Status removeSandbox(const CriClient& client, const std::string& sandboxId);

// What a pod leaves on the node besides its sandboxes: its log directory
// (<logDir>/<namespace>_<name>_<uid>, found by the uid) and emptyDir volumes.
base::Status removePodFiles(const CriRuntimeOptions& options, const std::string& podUid);

// The sandbox's IPs, primary first (PodSandboxStatus).
base::Result<std::vector<std::string>> sandboxIPs(const CriClient& client, const std::string& sandboxId);

}  // namespace daemonlet::runtime::cri
