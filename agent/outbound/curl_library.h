#pragma once
// libcurl, opened with dlopen on first use (issue 3): an agent with only local
// manifests and exec/tcp probes never maps libcurl and its TLS/Kerberos/LDAP
// chain. <curl/curl.h> still supplies the types and constants at compile time;
// the functions are called through this table, never by their linked names.
//
// Every user first calls curlLibrary() and turns its error into its own failure
// (an endpoint poll failure, a probe failure, a CLI error). Code that only runs
// once a handle exists may use loadedCurl().
#include <curl/curl.h>

#include "agent/base/result.h"

namespace daemonlet::outbound {

inline constexpr const char* kCurlSoname = "libcurl.so.4";
inline constexpr const char* kCurlPackage = "libcurl4";

struct CurlLibrary {
  decltype(&::curl_global_init) globalInit = nullptr;
  decltype(&::curl_easy_init) easyInit = nullptr;
  // Variadic in the header as well: CURLcode (*)(CURL*, CURLoption, ...).
  decltype(&::curl_easy_setopt) easySetopt = nullptr;
  decltype(&::curl_easy_getinfo) easyGetinfo = nullptr;  // CURLcode (*)(CURL*, CURLINFO, ...)
  decltype(&::curl_easy_perform) easyPerform = nullptr;
  decltype(&::curl_easy_reset) easyReset = nullptr;
  decltype(&::curl_easy_cleanup) easyCleanup = nullptr;
  decltype(&::curl_easy_strerror) easyStrerror = nullptr;
  decltype(&::curl_slist_append) slistAppend = nullptr;
  decltype(&::curl_slist_free_all) slistFreeAll = nullptr;
  decltype(&::curl_multi_init) multiInit = nullptr;
  decltype(&::curl_multi_setopt) multiSetopt = nullptr;
  decltype(&::curl_multi_add_handle) multiAddHandle = nullptr;
  decltype(&::curl_multi_remove_handle) multiRemoveHandle = nullptr;
  decltype(&::curl_multi_perform) multiPerform = nullptr;
  decltype(&::curl_multi_poll) multiPoll = nullptr;
  decltype(&::curl_multi_wakeup) multiWakeup = nullptr;
  decltype(&::curl_multi_info_read) multiInfoRead = nullptr;
  decltype(&::curl_multi_cleanup) multiCleanup = nullptr;
  decltype(&::curl_share_init) shareInit = nullptr;
  decltype(&::curl_share_setopt) shareSetopt = nullptr;
  decltype(&::curl_share_cleanup) shareCleanup = nullptr;
  decltype(&::curl_url) url = nullptr;
  decltype(&::curl_url_set) urlSet = nullptr;
  decltype(&::curl_url_get) urlGet = nullptr;
  decltype(&::curl_url_cleanup) urlCleanup = nullptr;
  decltype(&::curl_free) freeString = nullptr;
};

// Opens libcurl.so.4, resolves the table and runs curl_global_init, all once per
// process and thread-safe; later calls return the same outcome (a failure is
// not retried: installing the package needs an agent restart anyway).
const base::Result<CurlLibrary>& curlLibrary();

// The table, for code that already holds a curl handle (so curlLibrary()
// succeeded before). Aborts if libcurl was never loaded: that is a bug.
const CurlLibrary& loadedCurl();

}  // namespace daemonlet::outbound
