#pragma once
// Image names and pull policy, as Kubernetes and containerd read them.
//
// Names follow the Docker reference grammar (distribution/reference): an
// optional registry host ("example.com", "example.com:5000", "localhost",
// "[::1]:5000"), path components of lowercase alphanumerics joined by
// separators (".", "_", "__", "-"...), an optional ":tag" and an optional
// "@sha256:<64 hex>". A first component without ".", ":" or "localhost" is a
// path on docker.io; a single component lives under "library/". Normalized:
// "busybox" → "docker.io/library/busybox:latest" (the tag is added only when
// there is no digest).
#include <optional>
#include <string>
#include <string_view>

#include "agent/base/result.h"
#include "agent/model/types.h"

namespace daemonlet::runtime::cri {

// Where an image name without a registry host comes from.
inline constexpr std::string_view kDockerHubDomain = "docker.io";

struct ImageReference {
  std::string domain;  // "docker.io", "registry.example:5000"
  std::string path;    // "library/busybox"
  std::string tag;     // empty when not given
  std::string digest;  // "sha256:...", empty when not given

  // domain/path[:tag][@digest], with ":latest" when neither tag nor digest is given.
  std::string normalized() const;
  // domain/path: the repository, for credential matching and messages.
  std::string repository() const;
};

// Parses an image name; the error (kInvalidArgument) is the waiting reason
// InvalidImageName's message: 'Failed to apply default image tag "X": couldn't
// parse image name "X": <why>' as the kubelet words it.
base::Result<ImageReference> parseImageReference(const std::string& image);

// The policy a container's image is pulled with: the explicit
// imagePullPolicy, else Kubernetes' default: Always for ":latest" or no tag
// (and no digest), IfNotPresent otherwise.
enum class PullPolicy { kAlways, kIfNotPresent, kNever };
PullPolicy pullPolicyOf(const model::Container& container);
const char* pullPolicyName(PullPolicy policy);

// What the kubelet does before creating a container (shouldPullImage): Never
// with the image absent is ErrImageNeverPull, not a pull.
enum class PullDecision { kPull, kUsePresent, kNeverPullMissing };
PullDecision pullDecision(PullPolicy policy, bool imagePresent);

}  // namespace daemonlet::runtime::cri
