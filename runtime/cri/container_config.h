#pragma once
// A container's CRI config (CreateContainer's config), made the way the
// kubelet's kuberuntime makes it (generateContainerConfig and its Linux part):
// metadata (attempt = restart count), image, command and args, working
// directory, environment, mounts, log path, labels and annotations, resources
// (CPU shares from requests, quota from limits, memory limit, oom_score_adj)
// and the security context (privileged, capabilities, user and group,
// read-only root, no_new_privs, seccomp, masked and read-only paths, namespaces).
//
// Pure: the caller has pulled the image (imageRef, imageUser come from
// ImageStatus), made the sandbox (its config and IP) and prepared the pod's
// volumes (pod_volumes.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "agent/model/types.h"
#include "runtime/cri/proto/api.pb.h"
#include "runtime/cri/container_security_context.h"
#include "runtime/runtime.h"

namespace daemonlet::runtime::cri {

struct ContainerInputs {
  // Required. Its env, command and args are resolved by the caller ($(VAR)
  // and fieldRef expanded); status.podIP/podIPs are resolved again here from
  // `podIPs` for pods with their own network (only known after RunPodSandbox).
  const ContainerStartRequest* request = nullptr;
  // Required: the sandbox the container joins (log directory, namespaces,
  // pod-level security).
  const ::runtime::v1::PodSandboxConfig* sandbox = nullptr;
  // The template's spec as read (DaemonSet.raw spec.template.spec), for fields
  // the model keeps in raw JSON only (seccompProfile). Null: none.
  const model::Json* rawPodSpec = nullptr;
  // The sandbox's IPs (PodSandboxStatus), first the primary; empty for
  // hostNetwork pods (the node's IP, already in the request's env).
  std::vector<std::string> podIPs;
  // The image as pulled: its id or digest reference (CRI ImageSpec.image), and
  // the user its config names, for the runAsNonRoot check.
  std::string imageRef;
  ImageUser imageUser;
  // The container's volume mounts, from containerMounts() (pod_volumes.h).
  std::vector<::runtime::v1::Mount> mounts;
  // Where Localhost seccomp profiles live: the kubelet's default, so profiles
  // installed for a kubelet serve here too.
  std::string seccompProfileRoot = "/var/lib/kubelet/seccomp";
};

// An error is a CreateContainerConfigError; its message is the kubelet's where
// the kubelet has one (runAsNonRoot: "container has runAsNonRoot and image will
// run as root (pod: ..., container: ...)"); its context names the field when
// one field is to blame.
base::Result<::runtime::v1::ContainerConfig> makeContainerConfig(const ContainerInputs& inputs);

}  // namespace daemonlet::runtime::cri
