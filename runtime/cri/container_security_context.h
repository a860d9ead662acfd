#pragma once
// A container's Linux security context as the kubelet makes it
// (determineEffectiveSecurityContext and securitycontext helpers): the
// container's securityContext over the pod's, then
//   - user: runAsUser, else the image's uid, else its user name (an image
//     naming no user runs as uid 0, as the kubelet reads it);
//   - group: runAsGroup; supplemental groups: the pod's fsGroup, then its
//     supplementalGroups;
//   - privileged, readOnlyRootFilesystem, capabilities add/drop (names as
//     written; the runtime applies them to its default set);
//   - no_new_privs exactly when allowPrivilegeEscalation is false (validation
//     already refuses false with privileged or CAP_SYS_ADMIN);
//   - masked and read-only /proc paths: the defaults unless procMount is
//     Unmasked (the runtime drops them for privileged containers);
//   - seccomp: the container's profile, else the pod's, else Unconfined (the
//     kubelet's default without --seccomp-default); Localhost profiles under
//     the node's seccomp root;
//   - namespaces: the sandbox's.
// And runAsNonRoot checked against the user the container will run as.
#include <cstdint>
#include <optional>
#include <string>

#include "agent/base/result.h"
#include "agent/model/types.h"
#include "runtime/cri/proto/api.pb.h"
#include "runtime/runtime.h"

namespace daemonlet::runtime::cri {

// The user an image runs as without runAsUser (its config's User), as
// ImageStatus reports it: a numeric uid, or a user name.
struct ImageUser {
  std::optional<std::int64_t> uid;
  std::string username;
};

struct SecurityInputs {
  const PodRef* pod = nullptr;
  const model::PodSpec* spec = nullptr;
  const model::Container* container = nullptr;
  const model::Json* rawContainer = nullptr;  // its raw JSON (seccompProfile); null: none
  const model::Json* rawPodSpec = nullptr;
  std::string containerField;  // "spec.containers[0]", for errors
  ImageUser imageUser;
  ::runtime::v1::NamespaceOption namespaces;
  std::string seccompProfileRoot;
};

base::Result<::runtime::v1::LinuxContainerSecurityContext> containerSecurityContext(const SecurityInputs& inputs);

// The kubelet's verifyRunAsNonRoot, with its messages ("container has
// runAsNonRoot and image will run as root (pod: \"name_namespace(uid)\",
// container: name)"); its context names the runAsNonRoot field that asked.
base::Status verifyRunAsNonRoot(const SecurityInputs& inputs);

}  // namespace daemonlet::runtime::cri
