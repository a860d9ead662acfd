#include "agent/sources/kube_watch_decoder.h"

#include "agent/base/json_integer.h"
#include "agent/model/document_reader.h"
#include "agent/model/json_string_field.h"

namespace daemonlet::sources {
namespace {

const model::Json* metadataOf(const model::Json& object) {
  if (!object.is_object()) return nullptr;
  auto it = object.find("metadata");
  if (it == object.end() || !it->is_object()) return nullptr;
  return &*it;
}

// Parses JSON no deeper than a manifest may be (model::ReadLimits). nlohmann's
// parser is iterative, but dump() and comparisons of the result recurse: a 16 MiB
// event of nested brackets would overflow the stack when the list state is
// written out. Deeper values are discarded while parsing (never built) and the
// whole text then counts as malformed.
model::Json parseBounded(std::string_view text) {
  static const int kMaxDepth = model::ReadLimits{}.maxDepth;
  bool tooDeep = false;
  auto callback = [&tooDeep](int depth, model::Json::parse_event_t, model::Json&) {
    if (depth <= kMaxDepth) return true;
    tooDeep = true;
    return false;
  };
  model::Json parsed = model::Json::parse(text, callback, /*allow_exceptions=*/false);
  return tooDeep ? model::Json(model::Json::value_t::discarded) : parsed;
}

}  // namespace

bool WatchLineSplitter::feed(std::string_view chunk, std::vector<std::string>& lines) {
  while (!chunk.empty()) {
    std::size_t newline = chunk.find('\n');
    if (newline == std::string_view::npos) {
      pending_.append(chunk);
      return pending_.size() <= maxLineBytes_;
    }
    pending_.append(chunk.substr(0, newline));
    chunk.remove_prefix(newline + 1);
    if (pending_.size() > maxLineBytes_) return false;
    if (!pending_.empty() && pending_.back() == '\r') pending_.pop_back();
    if (pending_.find_first_not_of(" \t") != std::string::npos) lines.push_back(std::move(pending_));
    pending_.clear();
  }
  return true;
}

std::string_view watchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded: return "ADDED";
    case WatchEventType::kModified: return "MODIFIED";
    case WatchEventType::kDeleted: return "DELETED";
    case WatchEventType::kBookmark: return "BOOKMARK";
    case WatchEventType::kError: return "ERROR";
  }
  return "?";
}

base::Result<WatchEvent> parseWatchEvent(std::string_view line) {
  model::Json parsed = parseBounded(line);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "watch event is not a JSON object");
  }
  const std::string type = model::jsonStringField(parsed, "type");
  WatchEvent event;
  if (type == "ADDED") event.type = WatchEventType::kAdded;
  else if (type == "MODIFIED") event.type = WatchEventType::kModified;
  else if (type == "DELETED") event.type = WatchEventType::kDeleted;
  else if (type == "BOOKMARK") event.type = WatchEventType::kBookmark;
  else if (type == "ERROR") event.type = WatchEventType::kError;
  else return base::makeError(base::ErrorCode::kInvalidArgument, "watch event has unknown type \"" + type + "\"");
  auto object = parsed.find("object");
  if (object == parsed.end() || !object->is_object()) {
    return base::makeError(base::ErrorCode::kInvalidArgument, "watch event " + type + " has no object");
  }
  event.object = std::move(*object);
  return event;
}

std::optional<ApiStatus> parseApiStatus(const model::Json& object) {
  if (model::jsonStringField(object, "kind") != "Status") return std::nullopt;
  ApiStatus status;
  auto code = object.find("code");
  if (code != object.end()) status.code = base::jsonInteger<int>(*code).value_or(0);
  status.reason = model::jsonStringField(object, "reason");
  status.message = model::jsonStringField(object, "message");
  return status;
}

std::optional<ApiStatus> parseApiStatusBody(std::string_view body) {
  model::Json parsed = parseBounded(body);
  if (parsed.is_discarded()) return std::nullopt;
  return parseApiStatus(parsed);
}

std::string describeApiStatus(const ApiStatus& status) {
  std::string text = std::to_string(status.code);
  if (!status.reason.empty()) text += " " + status.reason;
  if (!status.message.empty()) text += ": " + status.message;
  return text;
}

std::string objectResourceVersion(const model::Json& object) {
  const model::Json* metadata = metadataOf(object);
  return metadata ? model::jsonStringField(*metadata, "resourceVersion") : "";
}

std::string objectKey(const model::Json& object, bool namespaced) {
  const model::Json* metadata = metadataOf(object);
  if (!metadata) return "";
  std::string name = model::jsonStringField(*metadata, "name");
  if (name.empty() || !namespaced) return name;
  std::string ns = model::jsonStringField(*metadata, "namespace");
  return (ns.empty() ? std::string("default") : ns) + "/" + name;
}

}  // namespace daemonlet::sources
