#include "agent/cli/local_api_client.h"

#include <curl/curl.h>

#include <fstream>

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
  std::string runDir;
  for (std::size_t i = 0; i < args.size();) {
    auto take = [&](const std::string& flag, std::string& into) {
      if (args[i] == flag && i + 1 < args.size()) {
        into = args[i + 1];
        args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
        return true;
      }
      if (args[i].rfind(flag + "=", 0) == 0) {
        into = args[i].substr(flag.size() + 1);
        args.erase(args.begin() + static_cast<long>(i));
        return true;
      }
      return false;
    };
    if (take("--server", server) || take("--run-dir", runDir)) continue;
    ++i;
  }
  if (!server.empty()) return ApiEndpoint{server.rfind("http", 0) == 0 ? server : "http://" + server};
  if (!runDir.empty()) {
    std::ifstream in(runDir + "/listen-address");
    std::string address;
    if (!(in >> address)) {
      return base::makeError(base::ErrorCode::kNotFound, "no listen-address file; is the agent running?", runDir);
    }
    return ApiEndpoint{"http://" + address};
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
