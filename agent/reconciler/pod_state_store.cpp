#include "agent/reconciler/pod_state_store.h"

#include <fstream>
#include <sstream>

#include "agent/base/atomic_file.h"
#include "agent/base/json_integer.h"
#include "agent/model/decode.h"

namespace daemonlet::reconciler {
namespace {

using model::Json;
using namespace std::chrono;

std::int64_t toNanos(base::WallTime t) { return duration_cast<nanoseconds>(t.time_since_epoch()).count(); }
base::WallTime fromNanos(std::int64_t n) {
  return base::WallTime(duration_cast<system_clock::duration>(nanoseconds(n)));
}

Json optionalWall(const std::optional<base::WallTime>& t) { return t ? Json(toNanos(*t)) : Json(nullptr); }

// A stored time: nanoseconds since the epoch, from 1970 to 2116. Anything else
// (a hand-edited or damaged file) counts as absent: mapping it to the steady
// clock would overflow.
std::optional<base::WallTime> readOptionalWall(const Json& j) {
  constexpr std::int64_t kMaxNanos = std::int64_t{1} << 62;
  const auto nanos = base::jsonInteger<std::int64_t>(j);
  if (!nanos || *nanos < 0 || *nanos > kMaxNanos) return std::nullopt;
  return fromNanos(*nanos);
}

// object[key] as T when it is an integer that fits, else `fallback`.
template <typename T>
T integerOr(const Json& object, const char* key, T fallback) {
  const auto it = object.find(key);
  if (it == object.end()) return fallback;
  return base::jsonInteger<T>(*it).value_or(fallback);
}

}  // namespace

PodStateStore::PodStateStore(std::filesystem::path directory, const base::Clock& clock)
    : directory_(std::move(directory)), clock_(clock), sync_(std::make_unique<base::DeferredSync>(directory_)) {}

void PodStateStore::flush() const { sync_->flush(); }

base::Status PodStateStore::save(const PodState& pod) const {
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  // A steady time t is stored as the wall time it corresponds to now.
  auto toWall = [&](decision::TimePoint t) {
    return toNanos(clock_.wallNow() - duration_cast<system_clock::duration>(clock_.now() - t));
  };
  Json containers = Json::array();
  for (const auto* slots : {&pod.initContainers, &pod.containers}) {
    for (const auto& slot : *slots) {
      Json c = {{"name", slot.name},
                {"init", slot.init},
                {"starts", slot.starts},
                {"containerId", slot.containerId},
                {"exitCode", slot.exitCode ? Json(*slot.exitCode) : Json(nullptr)},
                {"exitReason", slot.exitReason},
                {"startedAt", optionalWall(slot.startedAtWall)},
                {"finishedAt", optionalWall(slot.finishedAtWall)},
                {"lastStartedAt", optionalWall(slot.lastStartedAtWall)},
                // Readiness survives an agent restart: an adopted pod keeps the
                // standing it had until its restarted probes say otherwise.
                {"ready", slot.ready}};
      if (slot.backoff) {
        c["backoff"] = {{"delayNanos", duration_cast<nanoseconds>(slot.backoff->delay).count()},
                        {"lastRestart", toWall(slot.backoff->lastRestart)}};
      }
      containers.push_back(c);
    }
  }
  Json doc = {{"version", 1},
              {"uid", pod.ref.uid},
              {"name", pod.ref.name},
              {"namespace", pod.ref.namespace_},
              {"daemonSetName", pod.ref.daemonSetName},
              {"daemonSetUid", pod.ref.daemonSetUid},
              {"daemonSetKey", pod.daemonSetKey},
              {"revision", pod.ref.revision},
              {"createdAt", toNanos(pod.createdAtWall)},
              {"deletionRequested", pod.deletionRequested},
              {"stopRequested", pod.stopRequested},
              {"daemonSet", pod.daemonSet ? pod.daemonSet->raw : Json(nullptr)},
              {"containers", containers}};
  auto written = base::writeFileAtomically(directory_ / (pod.ref.uid + ".json"), doc.dump() + "\n", 0600,
                                           base::FileDurability::kRenameOnly);
  if (written) sync_->request();
  return written;
}

base::Status PodStateStore::erase(const std::string& uid) const {
  std::error_code ec;
  std::filesystem::remove(directory_ / (uid + ".json"), ec);
  if (ec) return base::makeError(base::ErrorCode::kIo, ec.message(), (directory_ / (uid + ".json")).string());
  return base::Ok{};
}

PodStateStore::Loaded PodStateStore::loadAll() const {
  Loaded loaded;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(directory_, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& path = it->path();
    if (path.extension() != ".json") continue;
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    Json doc = Json::parse(content.str(), nullptr, false);
    // A wrong-typed field throws from nlohmann's value()/get(): the file is
    // reported, never allowed to stop the agent.
    try {
      if (doc.is_discarded() || !doc.is_object() || !doc.value("uid", Json()).is_string()) {
        loaded.errors.push_back(path.string() + ": not a pod state document");
        continue;
      }
      PodState pod;
      pod.ref.uid = doc.value("uid", "");
      pod.ref.name = doc.value("name", "");
      pod.ref.namespace_ = doc.value("namespace", "");
      pod.ref.daemonSetName = doc.value("daemonSetName", "");
      pod.ref.daemonSetUid = doc.value("daemonSetUid", "");
      pod.ref.revision = doc.value("revision", "");
      pod.daemonSetKey = doc.value("daemonSetKey", "");
      pod.deletionRequested = doc.value("deletionRequested", false);
      pod.stopRequested = doc.value("stopRequested", false);
      pod.createdAtWall = readOptionalWall(doc.value("createdAt", Json())).value_or(base::WallTime{});
      auto toSteady = [&](base::WallTime wall) {
        return clock_.now() - duration_cast<steady_clock::duration>(clock_.wallNow() - wall);
      };
      pod.createdAt = toSteady(pod.createdAtWall);
      if (doc.contains("daemonSet") && doc["daemonSet"].is_object()) {
        auto decoded = model::decodeDaemonSet(model::Document{doc["daemonSet"], {path.string(), 0, 0}});
        if (decoded.errors.empty())
          pod.daemonSet = std::make_shared<const model::DaemonSet>(std::move(decoded.daemonSet));
      }
      initialiseSlots(pod);
      for (const auto& c : doc.value("containers", Json::array())) {
        if (!c.is_object()) continue;
        ContainerSlot* slot = pod.findContainer(c.value("name", ""), c.value("init", false));
        if (!slot) {
          // The spec is gone (pod rebuilt without it): keep a slot so its process
          // is tracked and stopped, never restarted.
          auto& slots = c.value("init", false) ? pod.initContainers : pod.containers;
          slots.push_back(ContainerSlot{});
          slot = &slots.back();
          slot->name = c.value("name", "");
          slot->init = c.value("init", false);
        }
        slot->starts = integerOr(c, "starts", 0);
        slot->containerId = c.value("containerId", "");
        if (auto exitCode = base::jsonInteger<int>(c.value("exitCode", Json()))) slot->exitCode = *exitCode;
        slot->exitReason = c.value("exitReason", "");
        slot->ready = c.value("ready", true);  // files from before this field: as adoption assumed
        slot->startedAtWall = readOptionalWall(c.value("startedAt", Json()));
        slot->finishedAtWall = readOptionalWall(c.value("finishedAt", Json()));
        slot->lastStartedAtWall = readOptionalWall(c.value("lastStartedAt", Json()));
        if (slot->finishedAtWall) slot->finishedAt = toSteady(*slot->finishedAtWall);
        if (c.contains("backoff") && c["backoff"].is_object()) {
          decision::BackoffEntry entry;
          entry.delay = duration_cast<decision::Duration>(
              nanoseconds(integerOr(c["backoff"], "delayNanos", std::int64_t{0})));
          entry.lastRestart = toSteady(
              readOptionalWall(c["backoff"].value("lastRestart", Json())).value_or(base::WallTime{}));
          slot->backoff = entry;
        }
        // Until the runtime confirms a live process, a slot that had run counts
        // as exited (its exit time unknown: now).
        if (slot->starts > 0) slot->state = decision::ContainerState::Exited;
      }
      loaded.pods.push_back(std::move(pod));
    } catch (const std::exception& e) {
      loaded.errors.push_back(path.string() + ": " + e.what());
    }
  }
  return loaded;
}

}  // namespace daemonlet::reconciler
