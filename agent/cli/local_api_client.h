#pragma once
// A small libcurl client for the agent's local API, used by `daemonlet status`
// and `daemonlet get`. Finds the agent by --server URL, else by the
// listen-address file in its run directory (agent_location.h: --run-dir,
// --config, the packaged configuration), else the default loopback port.
#include <string>
#include <vector>

#include "agent/base/result.h"

namespace daemonlet::cli {

struct ApiEndpoint {
  std::string baseUrl;  // "http://127.0.0.1:10290"
};

// Consumes --server URL, --run-dir DIR and --config FILE from `args`.
base::Result<ApiEndpoint> resolveEndpoint(std::vector<std::string>& args);

struct HttpReply {
  long status = 0;
  std::string body;
};
base::Result<HttpReply> httpGet(const ApiEndpoint& endpoint, const std::string& path);

}  // namespace daemonlet::cli
