#include "agent/sources/endpoint_cache.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "agent/base/atomic_file.h"
#include "agent/base/log.h"
#include "agent/base/rfc3339.h"
#include "agent/model/types.h"

namespace daemonlet::sources {
namespace {

namespace fs = std::filesystem;
using model::Json;

std::string corruptSuffix() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

// A string field of the cache document; "" when absent. False when present with
// another type (the document is then corrupt).
bool readString(const Json& document, const char* key, std::string& target) {
  auto it = document.find(key);
  if (it == document.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  target = it->get<std::string>();
  return true;
}

}  // namespace

std::string endpointCacheDocument(const EndpointSnapshot& snapshot) {
  Json items = Json::array();
  for (const auto& sourced : snapshot.daemonSets) items.push_back(sourced.daemonSet->raw);
  Json errors = Json::array();
  for (const auto& error : snapshot.errors) errors.push_back({{"origin", error.origin}, {"message", error.message}});
  Json document = {{"apiVersion", kEndpointCacheApiVersion},
                   {"kind", kEndpointCacheKind},
                   {"url", snapshot.url},
                   {"etag", snapshot.etag},
                   {"lastModified", snapshot.lastModified},
                   {"resourceVersion", snapshot.resourceVersion},
                   {"fetchedAt", base::formatRfc3339(snapshot.fetchedAt)},
                   {"items", std::move(items)},
                   {"errors", std::move(errors)}};
  return document.dump(1) + "\n";
}

EndpointCache::EndpointCache(const fs::path& stateDir) : path_(stateDir / "endpoint" / "cache.json") {}

base::Status EndpointCache::save(const EndpointSnapshot& snapshot) {
  std::error_code ec;
  fs::create_directories(path_.parent_path(), ec);
  if (ec) {
    return base::makeError(base::ErrorCode::kIo, "cannot create the cache directory: " + ec.message(),
                           path_.parent_path().string());
  }
  std::string content;
  try {
    content = endpointCacheDocument(snapshot);
  } catch (const std::exception& e) {  // invalid UTF-8 in a raw string, say
    return base::makeError(base::ErrorCode::kInvalidArgument, std::string("cannot encode the cache: ") + e.what(),
                           path_.string());
  }
  // 0600: DaemonSet specs may carry values (env) not meant for every local user.
  return base::writeFileAtomically(path_, content, 0600);
}

void EndpointCache::setAside(const std::string& why) {
  const std::string base = path_.string() + ".corrupt-" + corruptSuffix();
  fs::path aside = base;
  std::error_code ec;
  // Never replace an earlier corrupt copy (two in the same second).
  for (int n = 1; fs::exists(aside, ec) && n < 100; ++n) aside = base + "-" + std::to_string(n);
  fs::rename(path_, aside, ec);
  loadError_ = path_.string() + ": " + why + "; " +
               (ec ? "could not move it aside (" + ec.message() + ")" : "corrupt cache kept as " + aside.string());
  base::logWarning("ignoring the endpoint cache: it is corrupt; the agent waits for the endpoint",
                   {{"path", path_.string()},
                    {"error", why},
                    {"keptAs", ec ? std::string("(rename failed: ") + ec.message() + ")" : aside.string()}});
}

std::optional<EndpointSnapshot> EndpointCache::load(const std::string& url) {
  loadError_.clear();
  std::error_code ec;
  if (!fs::exists(path_, ec)) {
    if (ec) loadError_ = path_.string() + ": cannot read the cache: " + ec.message();
    return std::nullopt;
  }
  std::ifstream in(path_, std::ios::binary);
  const int openErrno = errno;
  if (!in) {
    loadError_ = path_.string() + ": cannot read the cache: " + std::strerror(openErrno);
    base::logWarning("cannot read the endpoint cache; ignoring it", {{"path", path_.string()}, {"error", loadError_}});
    return std::nullopt;
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    loadError_ = path_.string() + ": cannot read the cache: read failed";
    base::logWarning("cannot read the endpoint cache; ignoring it", {{"path", path_.string()}});
    return std::nullopt;
  }

  Json document = Json::parse(content.str(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    setAside("not a JSON object (truncated or overwritten?)");
    return std::nullopt;
  }
  std::string apiVersion, kind, cachedUrl, fetchedAt;
  EndpointSnapshot meta;
  bool fieldsOk = readString(document, "apiVersion", apiVersion) && readString(document, "kind", kind) &&
                  readString(document, "url", cachedUrl) && readString(document, "etag", meta.etag) &&
                  readString(document, "lastModified", meta.lastModified) &&
                  readString(document, "resourceVersion", meta.resourceVersion) &&
                  readString(document, "fetchedAt", fetchedAt);
  if (!fieldsOk || apiVersion != kEndpointCacheApiVersion || kind != kEndpointCacheKind) {
    setAside("not a " + std::string(kEndpointCacheApiVersion) + " " + std::string(kEndpointCacheKind));
    return std::nullopt;
  }
  auto items = document.find("items");
  auto errors = document.find("errors");
  auto fetched = base::parseRfc3339(fetchedAt);
  if (items == document.end() || !items->is_array() || !fetched ||
      (errors != document.end() && !errors->is_array())) {
    setAside("items, errors or fetchedAt missing or malformed");
    return std::nullopt;
  }
  if (cachedUrl != url) {
    loadError_ = path_.string() + ": written for another endpoint URL (" + cachedUrl + "); not used";
    base::logWarning("ignoring the endpoint cache: it was written for another endpoint URL",
                     {{"path", path_.string()}, {"cached", cachedUrl}, {"configured", url}});
    return std::nullopt;
  }

  Json list = {{"apiVersion", "apps/v1"}, {"kind", "DaemonSetList"}, {"items", *items}};
  auto accepted = acceptEndpointBody(list.dump(), url, nullptr);
  if (!accepted) {
    setAside(accepted.error().describe());
    return std::nullopt;
  }
  EndpointSnapshot snapshot = std::move(*accepted);
  snapshot.etag = std::move(meta.etag);
  snapshot.lastModified = std::move(meta.lastModified);
  snapshot.resourceVersion = std::move(meta.resourceVersion);
  snapshot.fetchedAt = *fetched;
  // Errors recorded at fetch time come first; new ones (this agent's rules
  // rejecting a cached item) were just added by acceptEndpointBody.
  std::vector<SourceError> recorded;
  if (errors != document.end()) {
    for (const auto& error : *errors) {
      if (!error.is_object()) continue;
      SourceError entry;
      if (readString(error, "origin", entry.origin) && readString(error, "message", entry.message) &&
          !entry.message.empty()) {
        recorded.push_back(std::move(entry));
      }
    }
  }
  recorded.insert(recorded.end(), snapshot.errors.begin(), snapshot.errors.end());
  snapshot.errors = std::move(recorded);
  return snapshot;
}

}  // namespace daemonlet::sources
