#pragma once
// The Kubernetes DeleteOptions (meta/v1) of a pod's DELETE, read as the API
// server reads them: from the query string (gracePeriodSeconds,
// propagationPolicy, dryRun) and from a JSON DeleteOptions body, which kubectl
// sends ({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":
// "Background","gracePeriodSeconds":N}); a field in the body wins over the
// same one in the query. Pure: the route (kube_pod_routes.cpp) acts on them.
//
// Refused, with a message naming the field (the route answers a 400 Status):
// a body that is not a JSON object, a field of the wrong type, a negative
// gracePeriodSeconds, a propagationPolicy other than Orphan/Background/
// Foreground (a pod has no dependents here, so all three mean the same), a
// dryRun other than All.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "agent/base/result.h"

namespace daemonlet::kubeapi {

struct DeleteOptions {
  std::optional<std::int64_t> gracePeriodSeconds;  // 0: at once (kubectl --force --grace-period=0)
  std::string propagationPolicy;                   // empty: not given
  bool dryRun = false;                             // dryRun=All: validate and answer, delete nothing
  std::optional<std::string> preconditionUid;
  std::optional<std::string> preconditionResourceVersion;
};

// `query`: the request's parameters (httplib::Params is this multimap).
// Errors: kInvalidArgument whose context is the field ("gracePeriodSeconds",
// "body") and whose message says what is wrong.
base::Result<DeleteOptions> parseDeleteOptions(const std::multimap<std::string, std::string>& query,
                                               const std::string& body);

}  // namespace daemonlet::kubeapi
