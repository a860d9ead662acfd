#pragma once
// Shared libcurl setup for probe requests (httpGet and grpc): one easy handle
// per request, no proxy (the kubelet's probes bypass proxies too), no TLS
// verification (probes check liveness, not identity), abort on cancel.
// libcurl is opened at first use (outbound/curl_library.h): a probe run checks
// probeCurl() first and fails with its message when the library is missing.
#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "agent/outbound/curl_library.h"

namespace daemonlet::prober {

// The curl table, or why it cannot be loaded (a message for the probe result).
const base::Result<outbound::CurlLibrary>& probeCurl();

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { outbound::loadedCurl().easyCleanup(handle); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlListDeleter {
  void operator()(curl_slist* list) const { outbound::loadedCurl().slistFreeAll(list); }
};
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;

// Appends one header line; throws nothing, returns false when out of memory.
bool appendCurlHeader(CurlList& list, const std::string& line);

// A new handle with the options every probe request shares. `remaining` bounds
// the whole request, connect included.
CurlEasy newProbeHandle(const std::string& url, std::chrono::milliseconds remaining,
                        const std::atomic<bool>& cancelled);

// "host" for names and IPv4, "[host]" for IPv6 literals.
std::string urlHost(const std::string& host);

// The host name of an absolute URL, "" when it does not parse.
std::string urlHostName(const std::string& url);

}  // namespace daemonlet::prober
