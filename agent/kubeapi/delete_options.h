#pragma once
// The Kubernetes DeleteOptions (meta/v1) of a pod's DELETE, read and checked as
// the API server does (handlers/delete.go, rest.BeforeDelete, the pod strategy's
// CheckGracefulDelete). Pure: the route (kube_pod_routes.cpp) acts on them.
//
// Two steps with two answers, as there:
//  - parseDeleteOptions decodes. A request with a body takes every option from
//    the JSON DeleteOptions body, which kubectl sends ({"kind":"DeleteOptions",
//    "apiVersion":"v1","propagationPolicy":"Background","gracePeriodSeconds":N});
//    only a request without one reads the query string (gracePeriodSeconds,
//    propagationPolicy, dryRun). What cannot be decoded (not JSON, a field of
//    the wrong type, a gracePeriodSeconds that is no integer) is a 400 BadRequest.
//  - validateDeleteOptions is ValidateDeleteOptions: a propagationPolicy other
//    than Foreground/Background/Orphan or a dryRun other than All is a 422
//    Invalid whose details.causes name the field (FieldValueNotSupported).
// A negative gracePeriodSeconds is no error: the delete path treats it as 1.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/result.h"
#include "agent/kubeapi/field_cause.h"

namespace daemonlet::kubeapi {

struct DeleteOptions {
  // 0: the API server removes the object at once (kubectl --force
  // --grace-period=0); the node still stops the pod with the kubelet's 1 s floor.
  std::optional<std::int64_t> gracePeriodSeconds;
  std::optional<std::string> propagationPolicy;  // a pod has no dependents here: all three mean the same
  std::vector<std::string> dryRun;               // ["All"]: validate and answer, delete nothing
  std::optional<std::string> preconditionUid;
  std::optional<std::string> preconditionResourceVersion;

  bool isDryRun() const { return !dryRun.empty(); }
};

// `query`: the request's parameters (httplib::Params is this multimap).
// Errors: kInvalidArgument whose context is the field ("gracePeriodSeconds",
// "body") and whose message says what is wrong.
base::Result<DeleteOptions> parseDeleteOptions(const std::multimap<std::string, std::string>& query,
                                               const std::string& body);

// The API server's ValidateDeleteOptions; empty when the options are valid.
std::vector<FieldCause> validateDeleteOptions(const DeleteOptions& options);

}  // namespace daemonlet::kubeapi
