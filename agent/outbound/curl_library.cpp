#include "agent/outbound/curl_library.h"

#include "agent/base/shared_library.h"

namespace daemonlet::outbound {
namespace {

base::Result<CurlLibrary> loadCurl() {
  auto library = base::SharedLibrary::open(kCurlSoname, kCurlPackage);
  if (!library) return library.error();
  CurlLibrary curl;
  base::Status bound = base::Ok{};
  auto bind = [&](auto& slot, const char* name) {
    if (bound) bound = library->bind(slot, name);
  };
  bind(curl.globalInit, "curl_global_init");
  bind(curl.easyInit, "curl_easy_init");
  bind(curl.easySetopt, "curl_easy_setopt");
  bind(curl.easyGetinfo, "curl_easy_getinfo");
  bind(curl.easyPerform, "curl_easy_perform");
  bind(curl.easyReset, "curl_easy_reset");
  bind(curl.easyCleanup, "curl_easy_cleanup");
  bind(curl.easyStrerror, "curl_easy_strerror");
  bind(curl.slistAppend, "curl_slist_append");
  bind(curl.slistFreeAll, "curl_slist_free_all");
  bind(curl.multiInit, "curl_multi_init");
  bind(curl.multiSetopt, "curl_multi_setopt");
  bind(curl.multiAddHandle, "curl_multi_add_handle");
  bind(curl.multiRemoveHandle, "curl_multi_remove_handle");
  bind(curl.multiPerform, "curl_multi_perform");
  bind(curl.multiPoll, "curl_multi_poll");
  bind(curl.multiWakeup, "curl_multi_wakeup");
  bind(curl.multiInfoRead, "curl_multi_info_read");
  bind(curl.multiCleanup, "curl_multi_cleanup");
  bind(curl.shareInit, "curl_share_init");
  bind(curl.shareSetopt, "curl_share_setopt");
  bind(curl.shareCleanup, "curl_share_cleanup");
  bind(curl.url, "curl_url");
  bind(curl.urlSet, "curl_url_set");
  bind(curl.urlGet, "curl_url_get");
  bind(curl.urlCleanup, "curl_url_cleanup");
  bind(curl.freeString, "curl_free");
  if (!bound) return bound.error();
  // Not thread-safe in libcurl, so it runs here, under the static's guard,
  // before anyone can create a handle.
  CURLcode code = curl.globalInit(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) {
    return base::makeError(base::ErrorCode::kInternal,
                           std::string("curl_global_init failed: ") + curl.easyStrerror(code), kCurlSoname);
  }
  return curl;
}

}  // namespace

const base::Result<CurlLibrary>& curlLibrary() {
  static const base::Result<CurlLibrary> library = loadCurl();  // C++11 guarantees one thread initializes
  return library;
}

const CurlLibrary& loadedCurl() {
  const auto& library = curlLibrary();
  DL_ASSERT(library.has_value(), "libcurl used before curlLibrary() succeeded");
  return *library;
}

}  // namespace daemonlet::outbound
