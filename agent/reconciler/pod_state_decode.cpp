#include "agent/reconciler/pod_state_decode.h"

#include <limits>

#include "agent/model/decode.h"

namespace daemonlet::reconciler {
namespace {

using base::ErrorCode;
using base::makeError;
using model::Json;
using namespace std::chrono;

// A record holds one DaemonSet (16 MiB at most as a manifest) plus a few hundred
// bytes per container: anything far larger was not written by save().
constexpr std::size_t kMaxRecordBytes = 32 * 1024 * 1024;
constexpr int kMaxDepth = 96;  // the DaemonSet's own limit (64) plus the record's nesting
// Backoff delays are capped at 5 minutes (decision/backoff.h); a day leaves room
// for any future cap while keeping steady-clock arithmetic far from overflow.
constexpr std::int64_t kMaxDelayNanos = 24LL * 3600 * 1'000'000'000;

// Thrown inside this file only, caught in decodePodState().
struct FieldFailure {
  std::string field;
  std::string message;
};

const char* typeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a number with a fraction";
    default: return "an unsupported value";
  }
}

[[noreturn]] void fail(const std::string& field, std::string message) { throw FieldFailure{field, std::move(message)}; }
[[noreturn]] void wrongType(const std::string& field, const char* expected, const Json& found) {
  fail(field, std::string("expected ") + expected + ", found " + typeName(found));
}

// Reads the fields of one JSON object; `prefix` names it in errors ("containers[2].").
class Fields {
 public:
  Fields(const Json& object, std::string prefix) : object_(object), prefix_(std::move(prefix)) {}

  const Json* find(const char* name) const {
    auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  std::string path(const char* name) const { return prefix_ + name; }

  std::string string(const char* name) const {
    const Json* j = find(name);
    if (!j) return {};
    if (!j->is_string()) wrongType(path(name), "a string", *j);
    return j->get<std::string>();
  }
  bool boolean(const char* name, bool fallback) const {
    const Json* j = find(name);
    if (!j) return fallback;
    if (!j->is_boolean()) wrongType(path(name), "a boolean", *j);
    return j->get<bool>();
  }
  std::optional<std::int64_t> integer(const char* name, std::int64_t min, std::int64_t max) const {
    const Json* j = find(name);
    if (!j) return std::nullopt;
    if (!j->is_number_integer()) wrongType(path(name), "an integer", *j);
    // Unsigned values above int64 range are out of range too, never wrapped.
    if (j->is_number_unsigned() && j->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      fail(path(name), "value " + j->dump() + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    const auto value = j->get<std::int64_t>();
    if (value < min || value > max) {
      fail(path(name), "value " + j->dump() + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    return value;
  }
  // Wall times are stored as nanoseconds since the epoch; before 1970 is not a
  // time this agent wrote (and keeps the mapping onto the steady clock in range).
  std::optional<base::WallTime> wallTime(const char* name) const {
    auto nanos = integer(name, 0, std::numeric_limits<std::int64_t>::max());
    if (!nanos) return std::nullopt;
    return base::WallTime(duration_cast<system_clock::duration>(nanoseconds(*nanos)));
  }

 private:
  const Json& object_;
  std::string prefix_;
};

class Decoder {
 public:
  explicit Decoder(const ClockReading& now) : now_(now) {}

  PodState pod(const Json& doc, const std::string& expectedUid) {
    if (!doc.is_object()) wrongType("(document)", "an object", doc);
    Fields f(doc, "");
    if (auto version = f.integer("version", 1, std::numeric_limits<std::int64_t>::max()); version && *version != 1) {
      fail("version", "unknown version " + std::to_string(*version) + " (this agent reads version 1)");
    }
    PodState pod;
    pod.ref.uid = f.string("uid");
    if (pod.ref.uid.empty()) fail("uid", "missing");
    if (pod.ref.uid != expectedUid) fail("uid", "\"" + pod.ref.uid + "\" does not match the file name");
    pod.ref.name = f.string("name");
    pod.ref.namespace_ = f.string("namespace");
    pod.ref.daemonSetName = f.string("daemonSetName");
    pod.ref.daemonSetUid = f.string("daemonSetUid");
    pod.ref.revision = f.string("revision");
    pod.daemonSetKey = f.string("daemonSetKey");
    pod.runtimeName = f.string("runtime");  // files from before this field: taken from the spec
    pod.deletionRequested = f.boolean("deletionRequested", false);
    pod.deletionRequestedAt = f.wallTime("deletionRequestedAt");
    if (auto grace = f.integer("deletionGraceSeconds", 0, std::numeric_limits<std::int64_t>::max())) {
      pod.deletionGrace = std::chrono::seconds(*grace);
    }
    pod.stopRequested = f.boolean("stopRequested", false);
    pod.createdAtWall = f.wallTime("createdAt").value_or(base::WallTime{});
    pod.createdAt = toSteady(pod.createdAtWall);
    if (const Json* ds = f.find("daemonSet")) {
      if (!ds->is_object()) wrongType("daemonSet", "an object", *ds);
      // A spec that no longer decodes is dropped, not fatal: the pod is then
      // tracked and stopped, never restarted (pod_state.h).
      auto decoded = model::decodeDaemonSet(model::Document{*ds, {"pod state " + expectedUid, 0, 0}});
      if (decoded.errors.empty()) pod.daemonSet = std::make_shared<const model::DaemonSet>(std::move(decoded.daemonSet));
    }
    initialiseSlots(pod);
    if (const Json* containers = f.find("containers")) {
      if (!containers->is_array()) wrongType("containers", "an array", *containers);
      for (std::size_t i = 0; i < containers->size(); ++i) {
        container(pod, (*containers)[i], "containers[" + std::to_string(i) + "]");
      }
    }
    return pod;
  }

 private:
  void container(PodState& pod, const Json& c, const std::string& where) {
    if (!c.is_object()) wrongType(where, "an object", c);
    Fields f(c, where + ".");
    const std::string name = f.string("name");
    const bool init = f.boolean("init", false);
    ContainerSlot* slot = pod.findContainer(name, init);
    if (!slot) {
      // The spec is gone (pod rebuilt without it): keep a slot so its process
      // is tracked and stopped, never restarted.
      auto& slots = init ? pod.initContainers : pod.containers;
      slots.push_back(ContainerSlot{});
      slot = &slots.back();
      slot->name = name;
      slot->init = init;
    }
    slot->starts = static_cast<int>(f.integer("starts", 0, std::numeric_limits<int>::max()).value_or(0));
    slot->containerId = f.string("containerId");
    if (auto code = f.integer("exitCode", std::numeric_limits<int>::min(), std::numeric_limits<int>::max())) {
      slot->exitCode = static_cast<int>(*code);
    }
    slot->exitReason = f.string("exitReason");
    slot->ready = f.boolean("ready", true);  // files from before this field: as adoption assumed
    slot->startedAtWall = f.wallTime("startedAt");
    slot->finishedAtWall = f.wallTime("finishedAt");
    slot->lastStartedAtWall = f.wallTime("lastStartedAt");
    if (slot->finishedAtWall) slot->finishedAt = toSteady(*slot->finishedAtWall);
    if (const Json* backoff = f.find("backoff")) {
      if (!backoff->is_object()) wrongType(where + ".backoff", "an object", *backoff);
      Fields b(*backoff, where + ".backoff.");
      decision::BackoffEntry entry;
      entry.delay = duration_cast<decision::Duration>(nanoseconds(b.integer("delayNanos", 0, kMaxDelayNanos).value_or(0)));
      entry.lastRestart = toSteady(b.wallTime("lastRestart").value_or(base::WallTime{}));
      slot->backoff = entry;
    }
    // Until the runtime confirms a live process, a slot that had run counts
    // as exited (its exit time unknown: now).
    if (slot->starts > 0) slot->state = decision::ContainerState::Exited;
  }

  // A wall time maps to the steady time that lies as far before (or after) now.
  // Both operands are non-negative int64 nanoseconds, so the difference fits.
  base::TimePoint toSteady(base::WallTime wall) const {
    return now_.steadyNow - duration_cast<steady_clock::duration>(now_.wallNow - wall);
  }

  ClockReading now_;
};

}  // namespace

base::Result<PodState> decodePodState(std::string_view bytes, const std::string& expectedUid,
                                      const ClockReading& now) {
  if (bytes.size() > kMaxRecordBytes) {
    return makeError(ErrorCode::kInvalidArgument, "record is " + std::to_string(bytes.size()) +
                                                      " bytes, more than the limit of " +
                                                      std::to_string(kMaxRecordBytes));
  }
  bool tooDeep = false;
  // The callback sees every value's depth while parsing; a too-deep record is
  // discarded before anything recursive walks it.
  Json doc = Json::parse(
      bytes,
      [&tooDeep](int depth, Json::parse_event_t, Json&) {
        if (depth > kMaxDepth) tooDeep = true;
        return !tooDeep;
      },
      false);
  if (tooDeep) {
    return makeError(ErrorCode::kInvalidArgument, "nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  if (doc.is_discarded()) return makeError(ErrorCode::kInvalidArgument, "not valid JSON (torn or corrupt write?)");
  try {
    Decoder decoder(now);
    return decoder.pod(doc, expectedUid);
  } catch (const FieldFailure& failure) {
    return makeError(ErrorCode::kInvalidArgument, failure.message, failure.field);
  } catch (const std::exception& e) {
    // nlohmann or the model decoder on input nobody foresaw: still a bad record,
    // never a crash of the agent.
    return makeError(ErrorCode::kInvalidArgument, std::string("cannot decode: ") + e.what());
  }
}

}  // namespace daemonlet::reconciler
