#pragma once
// A container's environment, command and args as the CRI gets them: the
// caller's resolved values (ContainerStartRequest), in the order the spec lists
// the variables (the kubelet's order; later entries may refer to earlier ones),
// with status.podIP/podIPs resolved again from the sandbox's IPs. The caller
// resolves env before the sandbox exists, with the node's IP; a pod with its
// own network learns its IP only from RunPodSandbox.
#include <string>
#include <utility>
#include <vector>

#include "agent/model/types.h"
#include "runtime/runtime.h"

namespace daemonlet::runtime::cri {

struct ContainerProcess {
  std::vector<std::pair<std::string, std::string>> env;  // in the spec's order, then the rest by name
  std::vector<std::string> command;
  std::vector<std::string> args;
};

// `spec` is the container as the pod spec writes it (unexpanded); null: the
// request's own values are kept. `podIPs` empty (host network): the request's
// values are kept.
ContainerProcess containerProcess(const ContainerStartRequest& request, const model::Container* spec,
                                  const std::vector<std::string>& podIPs);

}  // namespace daemonlet::runtime::cri
