#include "agent/prober/probe_curl.h"

namespace daemonlet::prober {
namespace {

int abortWhenCancelled(void* userdata, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancelled = static_cast<const std::atomic<bool>*>(userdata);
  return cancelled->load() ? 1 : 0;
}

}  // namespace

const base::Result<outbound::CurlLibrary>& probeCurl() { return outbound::curlLibrary(); }

bool appendCurlHeader(CurlList& list, const std::string& line) {
  const auto& curl = outbound::loadedCurl();
  curl_slist* extended = curl.slistAppend(list.get(), line.c_str());
  if (extended == nullptr) return false;
  (void)list.release();  // curl_slist_append returns the same head once a list exists
  list.reset(extended);
  return true;
}

CurlEasy newProbeHandle(const std::string& url, std::chrono::milliseconds remaining,
                        const std::atomic<bool>& cancelled) {
  const auto& curl = outbound::loadedCurl();
  CurlEasy handle(curl.easyInit());
  if (!handle) return handle;
  CURL* h = handle.get();
  auto ms = static_cast<long>(std::max<std::int64_t>(1, remaining.count()));
  curl.easySetopt(h, CURLOPT_URL, url.c_str());
  curl.easySetopt(h, CURLOPT_NOSIGNAL, 1L);  // we run on pool threads
  curl.easySetopt(h, CURLOPT_TIMEOUT_MS, ms);
  curl.easySetopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
  curl.easySetopt(h, CURLOPT_PROXY, "");  // "" disables proxies, environment ones included
  curl.easySetopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl.easySetopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
  curl.easySetopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  curl.easySetopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are followed by hand (same host only)
  curl.easySetopt(h, CURLOPT_NOPROGRESS, 0L);
  curl.easySetopt(h, CURLOPT_XFERINFOFUNCTION, &abortWhenCancelled);
  curl.easySetopt(h, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(&cancelled));
  return handle;
}

std::string urlHost(const std::string& host) {
  if (host.find(':') != std::string::npos && host.front() != '[') return "[" + host + "]";
  return host;
}

std::string urlHostName(const std::string& url) {
  const auto& curl = outbound::loadedCurl();
  CURLU* parsed = curl.url();
  if (parsed == nullptr) return {};
  std::string name;
  if (curl.urlSet(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* host = nullptr;
    if (curl.urlGet(parsed, CURLUPART_HOST, &host, 0) == CURLUE_OK && host != nullptr) {
      name = host;
      curl.freeString(host);
    }
  }
  curl.urlCleanup(parsed);
  return name;
}

}  // namespace daemonlet::prober
