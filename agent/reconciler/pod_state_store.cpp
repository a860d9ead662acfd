#include "agent/reconciler/pod_state_store.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "agent/base/atomic_file.h"
#include "agent/reconciler/pod_state_decode.h"

namespace daemonlet::reconciler {
namespace {

using model::Json;
using namespace std::chrono;

std::int64_t toNanos(base::WallTime t) { return duration_cast<nanoseconds>(t.time_since_epoch()).count(); }

Json optionalWall(const std::optional<base::WallTime>& t) { return t ? Json(toNanos(*t)) : Json(nullptr); }

base::Result<std::string> readWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::makeError(base::ErrorCode::kIo, std::strerror(errno));
  std::stringstream content;
  content << in.rdbuf();
  if (in.bad()) return base::makeError(base::ErrorCode::kIo, "read failed");
  return content.str();
}

// "20261203T023512Z": sorts by time, safe in a file name.
std::string utcStamp(base::WallTime t) {
  const std::time_t seconds = system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
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
              // After a restart the agent must know which runtime to wait for
              // before it may start, stop or forget the pod (reconciler.h).
              {"runtime", pod.runtimeName},
              {"createdAt", toNanos(pod.createdAtWall)},
              {"deletionRequested", pod.deletionRequested},
              {"deletionRequestedAt", optionalWall(pod.deletionRequestedAt)},
              {"deletionGraceSeconds", pod.deletionGrace ? Json(pod.deletionGrace->count()) : Json(nullptr)},
              {"stopRequested", pod.stopRequested},
              {"containers", containers}};
  // The DaemonSet goes in as text, serialised straight from the shared copy:
  // putting it into `doc` copied its whole tree on every save (a cold start
  // saves each pod twice).
  std::string text = doc.dump();
  text.pop_back();  // the closing brace
  text += ",\"daemonSet\":";
  text += pod.daemonSet ? pod.daemonSet->raw.dump() : std::string("null");
  text += "}\n";
  auto written = base::writeFileAtomically(directory_ / (pod.ref.uid + ".json"), text, 0600,
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
  const ClockReading now{clock_.now(), clock_.wallNow()};
  std::error_code ec;
  std::vector<std::filesystem::path> paths;
  for (std::filesystem::directory_iterator it(directory_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json") paths.push_back(it->path());
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    loaded.errors.push_back({directory_.string(), directory_.string() + ": cannot list pod state: " + ec.message()});
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    auto content = readWholeFile(path);
    if (!content) {
      loaded.errors.push_back({path.string(), path.string() + ": cannot read pod state: " + content.error().message +
                                                  "; left in place"});
      continue;
    }
    auto decoded = decodePodState(*content, path.stem().string(), now);
    if (decoded) {
      loaded.pods.push_back(std::move(decoded).value());
      continue;
    }
    std::string message = path.string() + ": bad pod state: " + decoded.error().describe();
    std::filesystem::path aside = path.string() + ".bad-" + utcStamp(clock_.wallNow());
    std::error_code renameError;
    std::filesystem::rename(path, aside, renameError);
    message += renameError ? "; could not move it aside (" + renameError.message() + "), ignored"
                           : "; moved aside to " + aside.string();
    loaded.errors.push_back({path.string(), std::move(message)});
  }
  return loaded;
}

}  // namespace daemonlet::reconciler
