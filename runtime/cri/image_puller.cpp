#include "runtime/cri/image_puller.h"
#include "runtime/container_reasons.h"

namespace daemonlet::runtime::cri {
namespace {

namespace v1 = ::runtime::v1;

ImageOutcome runtimeUnavailable(const base::Error& error) {
  ImageOutcome outcome;
  outcome.reason = reasons::kRuntimeUnavailable;
  outcome.message = error.describe();
  return outcome;
}

// The image's status: set when present, unset when absent.
base::Result<std::optional<PulledImage>> imageStatus(const CriClient& client, const std::string& image) {
  v1::ImageStatusRequest request;
  request.mutable_image()->set_image(image);
  auto response = client.callImage("ImageStatus", &v1::ImageService::Stub::ImageStatus, request,
                                   client.defaultTimeout());
  if (!response) return response.error();
  if (!response->has_image() || response->image().id().empty()) return std::optional<PulledImage>();
  PulledImage pulled;
  pulled.imageRef = response->image().id();
  if (response->image().has_uid()) pulled.user.uid = response->image().uid().value();
  pulled.user.username = response->image().username();
  return std::optional<PulledImage>(std::move(pulled));
}

base::Status pullOnce(const CriClient& client, const ImageRequest& request, const RegistryAuth* auth,
                      std::chrono::milliseconds timeout) {
  v1::PullImageRequest pull;
  pull.mutable_image()->set_image(request.image.normalized());
  if (request.sandbox) *pull.mutable_sandbox_config() = *request.sandbox;
  if (auth) {
    v1::AuthConfig* config = pull.mutable_auth();
    config->set_username(auth->username);
    config->set_password(auth->password);
    config->set_auth(auth->auth);
    // No server_address: the credential was matched to this image already
    // (registry_credentials), and containerd 1.6 parses the field as a URL, so
    // a config.json key such as "127.0.0.1:5000" fails every pull with "first
    // path segment in URL cannot contain colon".
    config->set_identity_token(auth->identityToken);
  }
  auto response = client.callImage("PullImage", &v1::ImageService::Stub::PullImage, pull, timeout);
  if (!response) return response.error();
  return base::Ok{};
}

}  // namespace

ImageOutcome ensureImage(const CriClient& client, const ImageRequest& request,
                         std::chrono::milliseconds pullTimeout) {
  const std::string name = request.image.normalized();
  auto present = imageStatus(client, name);
  if (!present) {
    if (present.error().code == base::ErrorCode::kUnavailable) return runtimeUnavailable(present.error());
    ImageOutcome outcome;
    outcome.reason = reasons::kErrImagePull;
    outcome.message = present.error().describe();
    return outcome;
  }
  ImageOutcome outcome;
  switch (pullDecision(request.policy, present->has_value())) {
    case PullDecision::kUsePresent:
      outcome.image = **present;
      return outcome;
    case PullDecision::kNeverPullMissing:
      outcome.reason = "ErrImageNeverPull";
      outcome.message = "Container image \"" + name + "\" is not present with pull policy of Never";
      return outcome;
    case PullDecision::kPull:
      break;
  }
  if (request.inBackoff) {
    outcome.reason = reasons::kImagePullBackOff;
    outcome.message = "Back-off pulling image \"" + name + "\"";
    return outcome;
  }
  if (request.onPulling) request.onPulling();
  std::vector<RegistryAuth> auths;
  if (request.credentials) auths = request.credentials->lookup(request.image);
  base::Status pulled = base::makeError(base::ErrorCode::kInternal, "no pull tried");
  if (auths.empty()) {
    pulled = pullOnce(client, request, nullptr, pullTimeout);
  } else {
    // The kubelet tries each matching credential until one works.
    for (const RegistryAuth& auth : auths) {
      pulled = pullOnce(client, request, &auth, pullTimeout);
      if (pulled || pulled.error().code == base::ErrorCode::kUnavailable) break;
    }
  }
  if (!pulled) {
    if (pulled.error().code == base::ErrorCode::kUnavailable &&
        pulled.error().message.find("DEADLINE_EXCEEDED") == std::string::npos) {
      return runtimeUnavailable(pulled.error());
    }
    outcome.reason = reasons::kErrImagePull;
    outcome.message = pulled.error().describe();
    outcome.pullFailed = true;
    return outcome;
  }
  auto after = imageStatus(client, name);
  if (!after || !after->has_value()) {
    outcome.reason = after ? reasons::kErrImagePull : reasons::kRuntimeUnavailable;
    outcome.message = after ? "image \"" + name + "\" not present after its pull" : after.error().describe();
    return outcome;
  }
  outcome.image = **after;
  return outcome;
}

}  // namespace daemonlet::runtime::cri
