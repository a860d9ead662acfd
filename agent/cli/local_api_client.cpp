#include "agent/cli/local_api_client.h"

#include <curl/curl.h>

#include <fstream>

#include "agent/cli/agent_location.h"
#include "agent/outbound/curl_library.h"
#include "config/agent_config.h"

namespace daemonlet::cli {
namespace {

std::size_t appendBody(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

base::Result<ApiEndpoint> resolveEndpoint(std::vector<std::string>& args) {
  std::string server;
  for (std::size_t i = 0; i < args.size();) {
    if (!takeFlagValue(args, i, "--server", server)) ++i;
  }
  const AgentLocation location = takeAgentLocation(args);
  if (!server.empty()) return ApiEndpoint{server.rfind("http", 0) == 0 ? server : "http://" + server};
  const std::string runDir = agentRunDirectory(location);
  std::ifstream in(runDir + "/listen-address");
  std::string address;
  if (in >> address) return ApiEndpoint{"http://" + address};
  // Named explicitly: the agent must have written it.
  if (location.runDir) {
    return base::makeError(base::ErrorCode::kNotFound, "no listen-address file; is the agent running?", runDir);
  }
  return ApiEndpoint{"http://127.0.0.1:" + std::to_string(config::kDefaultStatusPort)};
}

base::Result<HttpReply> httpGet(const ApiEndpoint& endpoint, const std::string& path) {
  const auto& library = outbound::curlLibrary();  // opened here: only status/get need it
  if (!library) return library.error();
  const outbound::CurlLibrary& api = *library;
  CURL* curl = api.easyInit();
  if (!curl) return base::makeError(base::ErrorCode::kInternal, "curl_easy_init failed");
  HttpReply reply;
  std::string url = endpoint.baseUrl + path;
  api.easySetopt(curl, CURLOPT_URL, url.c_str());
  api.easySetopt(curl, CURLOPT_WRITEFUNCTION, appendBody);
  api.easySetopt(curl, CURLOPT_WRITEDATA, &reply.body);
  api.easySetopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
  api.easySetopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  api.easySetopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode code = api.easyPerform(curl);
  api.easyGetinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  api.easyCleanup(curl);
  if (code != CURLE_OK) {
    return base::makeError(base::ErrorCode::kUnavailable,
                           std::string("cannot reach the agent: ") + api.easyStrerror(code), url);
  }
  return reply;
}

}  // namespace daemonlet::cli
