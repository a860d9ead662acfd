#include "agent/kubeapi/event_recorder.h"

#include <cstdio>
#include <iterator>

#include "agent/status/status_json.h"

namespace daemonlet::kubeapi {

EventLog::EventLog(const base::Clock& clock, std::string nodeName, std::size_t maxEvents)
    : clock_(clock), maxEvents_(maxEvents == 0 ? 1 : maxEvents), nodeName_(std::move(nodeName)) {}

void EventLog::setNodeName(std::string nodeName) {
  std::lock_guard lock(mutex_);
  nodeName_ = std::move(nodeName);
}

void EventLog::record(const InvolvedObject& object, const std::string& type, const std::string& reason,
                      const std::string& message) {
  std::string now = status::formatTime(clock_.wallNow());
  std::lock_guard lock(mutex_);
  ++changes_;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->object.uid == object.uid && it->object.fieldPath == object.fieldPath && it->type == type &&
        it->reason == reason && it->message == message) {
      ++it->count;
      it->lastTimestamp = now;
      entries_.splice(entries_.end(), entries_, it);
      return;
    }
  }
  // Named as the kubelet names them: the object's name and a unique hex suffix.
  char suffix[24];
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(++nextId_));
  entries_.push_back({object, type, reason, message, object.name + suffix, now, now, 1});
  while (entries_.size() > maxEvents_) entries_.pop_front();
}

ObjectMap EventLog::objects() const {
  std::lock_guard lock(mutex_);
  ObjectMap out;
  for (const auto& e : entries_) {
    model::Json involved = {{"kind", e.object.kind}, {"namespace", e.object.namespace_}, {"name", e.object.name},
                            {"uid", e.object.uid}, {"apiVersion", e.object.apiVersion}};
    if (!e.object.fieldPath.empty()) involved["fieldPath"] = e.object.fieldPath;
    std::string namespace_ = e.object.namespace_.empty() ? "default" : e.object.namespace_;
    out.emplace(objectKey(namespace_, e.name),
                model::Json{{"apiVersion", "v1"},
                            {"kind", "Event"},
                            {"metadata", {{"name", e.name}, {"namespace", namespace_}, {"creationTimestamp", e.firstTimestamp}}},
                            {"involvedObject", involved},
                            {"reason", e.reason},
                            {"message", e.message},
                            {"source", {{"component", "daemonlet"}, {"host", nodeName_}}},
                            {"firstTimestamp", e.firstTimestamp},
                            {"lastTimestamp", e.lastTimestamp},
                            {"count", e.count},
                            {"type", e.type},
                            {"eventTime", nullptr},
                            {"reportingComponent", "daemonlet"},
                            {"reportingInstance", nodeName_}});
  }
  return out;
}

std::vector<status::RecentEvent> EventLog::recent(std::size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<status::RecentEvent> out;
  auto it = entries_.begin();
  if (entries_.size() > limit) std::advance(it, entries_.size() - limit);
  for (; it != entries_.end(); ++it) {
    out.push_back({it->type, it->reason, it->message, it->count, it->firstTimestamp, it->lastTimestamp,
                   it->object.kind, it->object.namespace_, it->object.name, it->object.fieldPath});
  }
  return out;
}

std::uint64_t EventLog::changes() const {
  std::lock_guard lock(mutex_);
  return changes_;
}

}  // namespace daemonlet::kubeapi
