#pragma once
// Events as the kubelet records them (core/v1 Event): a reason, a message and
// the object they are about; a repeat of the same (object, type, reason,
// message) bumps `count` and `lastTimestamp` instead of adding an event.
// EventRecorder is the one way in, so any part (the pod transitions seen in
// snapshots, hook and probe failures later) can feed it. EventLog keeps at most
// `maxEvents`, dropping the least recently seen.
// Thread-safe.
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <vector>

#include "agent/base/clock.h"
#include "agent/kubeapi/kube_objects.h"
#include "agent/status/node_report.h"

namespace daemonlet::kubeapi {

struct InvolvedObject {
  std::string kind;  // "Pod", "DaemonSet", "Node"
  std::string apiVersion;
  std::string namespace_;
  std::string name;
  std::string uid;
  std::string fieldPath;  // "spec.containers{main}" for one container
};

class EventRecorder {
 public:
  virtual ~EventRecorder() = default;
  // `type` is "Normal" or "Warning".
  virtual void record(const InvolvedObject& object, const std::string& type, const std::string& reason,
                      const std::string& message) = 0;
};

class EventLog final : public EventRecorder {
 public:
  EventLog(const base::Clock& clock, std::string nodeName, std::size_t maxEvents);

  void record(const InvolvedObject& object, const std::string& type, const std::string& reason,
              const std::string& message) override;
  // core/v1 Event objects by "namespace/name".
  ObjectMap objects() const;
  // The last `limit` events seen, least recently seen first (the upward report's).
  std::vector<status::RecentEvent> recent(std::size_t limit) const;
  // Grows with every record(): a reader tells whether the events changed.
  std::uint64_t changes() const;
  void setNodeName(std::string nodeName);

 private:
  struct Entry {
    InvolvedObject object;
    std::string type, reason, message, name;
    std::string firstTimestamp, lastTimestamp;
    std::int64_t count = 1;
  };

  const base::Clock& clock_;
  std::size_t maxEvents_;
  mutable std::mutex mutex_;
  std::string nodeName_;
  std::uint64_t nextId_ = 0;
  std::uint64_t changes_ = 0;
  std::list<Entry> entries_;  // least recently seen first
};

}  // namespace daemonlet::kubeapi
