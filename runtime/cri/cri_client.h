#pragma once
// CriClient: the CRI's RuntimeService and ImageService on one gRPC channel to
// the runtime's socket. Calls are blocking, each with a deadline: they run on
// the CRI runtime's BlockingPool, never on the io_context.
//
// Errors name the call and the socket. UNAVAILABLE (nothing listens, containerd
// restarting) and DEADLINE_EXCEEDED become ErrorCode::kUnavailable: a runtime
// outage, after which the caller retries rather than concluding anything about
// its containers. NOT_FOUND becomes kNotFound.
//
// Threading: every method may be called from any thread at once (gRPC stubs are
// thread-safe).
#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "agent/base/result.h"
#include "runtime/cri/proto/api.grpc.pb.h"

namespace daemonlet::runtime::cri {

class CriClient {
 public:
  // `endpoint` as configured ("unix:///run/containerd/containerd.sock").
  CriClient(std::string endpoint, std::chrono::milliseconds defaultTimeout);

  const std::string& endpoint() const { return endpoint_; }
  std::chrono::milliseconds defaultTimeout() const { return defaultTimeout_; }

  template <typename Request, typename Response>
  using RuntimeMethod = grpc::Status (::runtime::v1::RuntimeService::Stub::*)(grpc::ClientContext*,
                                                                              const Request&, Response*);
  template <typename Request, typename Response>
  using ImageMethod = grpc::Status (::runtime::v1::ImageService::Stub::*)(grpc::ClientContext*, const Request&,
                                                                          Response*);

  // One RuntimeService call: `name` is the RPC's name, for errors.
  template <typename Request, typename Response>
  base::Result<Response> call(const char* name, RuntimeMethod<Request, Response> method, const Request& request,
                              std::chrono::milliseconds timeout) const {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    Response response;
    grpc::Status status = ((*runtime_).*method)(&context, request, &response);
    if (!status.ok()) return errorOf(name, status);
    return response;
  }
  template <typename Request, typename Response>
  base::Result<Response> call(const char* name, RuntimeMethod<Request, Response> method,
                              const Request& request) const {
    return call(name, method, request, defaultTimeout_);
  }

  // One ImageService call.
  template <typename Request, typename Response>
  base::Result<Response> callImage(const char* name, ImageMethod<Request, Response> method, const Request& request,
                                   std::chrono::milliseconds timeout) const {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + timeout);
    Response response;
    grpc::Status status = ((*image_).*method)(&context, request, &response);
    if (!status.ok()) return errorOf(name, status);
    return response;
  }

  // The error for a failed call: "<name> on <socket>: <message> (<code>)".
  base::Error errorOf(const char* name, const grpc::Status& status) const;

 private:
  std::string endpoint_;
  std::chrono::milliseconds defaultTimeout_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<::runtime::v1::RuntimeService::Stub> runtime_;
  std::unique_ptr<::runtime::v1::ImageService::Stub> image_;
};

// The socket path of an endpoint ("unix:///run/x.sock" → "/run/x.sock"), for
// messages and for tests that wait for it.
std::string socketPathOf(const std::string& endpoint);

}  // namespace daemonlet::runtime::cri
