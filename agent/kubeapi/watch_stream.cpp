#include "agent/kubeapi/watch_stream.h"

#include "agent/kubeapi/table_printers.h"

namespace daemonlet::kubeapi {

WatchStream::WatchStream(const ObjectHistory& history, WatchRequest request, std::vector<WatchEvent> initial,
                         std::uint64_t fromVersion, std::function<void()> refresh, StreamSlots::Slot slot,
                         StreamSlots::Slot watching)
    : history_(history),
      request_(std::move(request)),
      initial_(std::move(initial)),
      version_(fromVersion),
      refresh_(std::move(refresh)),
      slot_(std::move(slot)),
      watching_(std::move(watching)) {}

bool WatchStream::selects(const WatchRequest& request, const model::Json& object) {
  const model::Json& metadata = object["metadata"];
  if (!request.namespace_.empty() && metadata.value("namespace", "") != request.namespace_) return false;
  return request.labels.matches(metadata.contains("labels") ? metadata["labels"] : model::Json::object()) &&
         request.fields.matches(object);
}

void WatchStream::write(const WatchEvent& event, std::string& out) const {
  if (!request_.table) {
    out += model::Json{{"type", event.type}, {"object", *event.object}}.dump() + "\n";
    return;
  }
  model::Json object =
      table(request_.resource, {*event.object}, request_.includeObject, std::chrono::system_clock::now());
  object["metadata"]["resourceVersion"] = std::to_string(event.version);
  out += model::Json{{"type", event.type}, {"object", object}}.dump() + "\n";
}

bool WatchStream::pull(std::string& out, std::size_t, std::chrono::steady_clock::time_point now) {
  for (const auto& event : initial_) write(event, out);
  initial_.clear();
  if (refresh_) refresh_();
  auto events = history_.since(request_.resource, version_);
  if (!events) {
    model::Json status = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", model::Json::object()},
                          {"status", "Failure"}, {"reason", "Expired"}, {"code", 410},
                          {"message", "too old resource version: " + std::to_string(version_)}};
    out += model::Json{{"type", "ERROR"}, {"object", status}}.dump() + "\n";
    return false;
  }
  for (const auto& event : *events) {
    version_ = event.version;
    if (selects(request_, *event.object)) write(event, out);
  }
  if (request_.bookmarks && now >= nextBookmark_) {
    if (nextBookmark_ != std::chrono::steady_clock::time_point{}) {
      model::Json object = {{"kind", request_.kind}, {"apiVersion", request_.apiVersion},
                            {"metadata", {{"resourceVersion", std::to_string(version_)}}}};
      out += model::Json{{"type", "BOOKMARK"}, {"object", object}}.dump() + "\n";
    }
    nextBookmark_ = now + kBookmarkInterval;
  }
  return now < request_.deadline;
}

}  // namespace daemonlet::kubeapi
