#include "runtime/cri/cri_client.h"

namespace daemonlet::runtime::cri {
namespace {

const char* codeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "error";
  }
}

base::ErrorCode errorCodeOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED: return base::ErrorCode::kUnavailable;
    case grpc::StatusCode::NOT_FOUND: return base::ErrorCode::kNotFound;
    case grpc::StatusCode::INVALID_ARGUMENT: return base::ErrorCode::kInvalidArgument;
    default: return base::ErrorCode::kInternal;
  }
}

}  // namespace

CriClient::CriClient(std::string endpoint, std::chrono::milliseconds defaultTimeout)
    : endpoint_(std::move(endpoint)), defaultTimeout_(defaultTimeout) {
  grpc::ChannelArguments args;
  // ExecSync answers carry up to 16 MiB of output per stream.
  args.SetMaxReceiveMessageSize(40 * 1024 * 1024);
  // A restarted containerd is back within a second or two: reconnect soon
  // after it is, instead of gRPC's default back-off of up to two minutes.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  channel_ = grpc::CreateCustomChannel(endpoint_, grpc::InsecureChannelCredentials(), args);
  runtime_ = ::runtime::v1::RuntimeService::NewStub(channel_);
  image_ = ::runtime::v1::ImageService::NewStub(channel_);
}

base::Error CriClient::errorOf(const char* name, const grpc::Status& status) const {
  std::string message = std::string(name) + " on " + socketPathOf(endpoint_) + ": " + status.error_message() +
                        " (" + codeName(status.error_code()) + ")";
  return base::makeError(errorCodeOf(status.error_code()), std::move(message));
}

std::string socketPathOf(const std::string& endpoint) {
  const std::string scheme = "unix://";
  return endpoint.rfind(scheme, 0) == 0 ? endpoint.substr(scheme.size()) : endpoint;
}

}  // namespace daemonlet::runtime::cri
