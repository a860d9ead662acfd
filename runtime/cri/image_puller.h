#pragma once
// Getting a container's image the way the kubelet's image manager does
// (EnsureImageExists): ImageStatus, then the pull policy decides
// (image_reference.h); a pull uses the node's registry credentials for the
// image's registry, most specific first, anonymous when there are none.
//
// Blocking (CRI calls): runs on the CRI runtime's BlockingPool. The back-off
// between failed pulls is the caller's (ImagePullBackoff, on the io_context):
// it says here whether a pull is allowed now.
#include <functional>
#include <optional>
#include <string>

#include "runtime/cri/container_config.h"
#include "runtime/cri/cri_client.h"
#include "runtime/cri/image_reference.h"
#include "runtime/cri/registry_credentials.h"

namespace daemonlet::runtime::cri {

struct PulledImage {
  std::string imageRef;  // the runtime's id of the image (CRI image id / digest)
  ImageUser user;        // what the image runs as without runAsUser
};

struct ImageOutcome {
  std::optional<PulledImage> image;  // set: ready to create the container
  // Otherwise why not, as the kubelet says it: "ErrImagePull",
  // "ImagePullBackOff", "ErrImageNeverPull", "RuntimeUnavailable".
  std::string reason;
  std::string message;
  bool pullFailed = false;  // a pull was tried and failed: the back-off grows
};

struct ImageRequest {
  ImageReference image;
  PullPolicy policy = PullPolicy::kIfNotPresent;
  bool inBackoff = false;  // a pull is not allowed now: ImagePullBackOff if one is needed
  const RegistryCredentials* credentials = nullptr;
  const ::runtime::v1::PodSandboxConfig* sandbox = nullptr;
  std::function<void()> onPulling;  // called (on the pool) before a pull starts
};

ImageOutcome ensureImage(const CriClient& client, const ImageRequest& request,
                         std::chrono::milliseconds pullTimeout);

}  // namespace daemonlet::runtime::cri
