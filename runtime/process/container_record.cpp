#include "runtime/process/container_record.h"

#include <random>

#include <nlohmann/json.hpp>

#include "agent/base/json_integer.h"

namespace daemonlet::runtime::process {
namespace {

using Json = nlohmann::ordered_json;
constexpr int kRecordVersion = 1;

base::Error corrupt(const std::string& why) {
  return base::makeError(base::ErrorCode::kInvalidArgument, "corrupt record: " + why);
}

}  // namespace

std::string encodeRecord(const ContainerRecord& r) {
  Json j = {
      {"version", kRecordVersion},
      {"id", r.id},
      {"pod",
       {{"namespace", r.pod.namespace_},
        {"name", r.pod.name},
        {"uid", r.pod.uid},
        {"daemonSetName", r.pod.daemonSetName},
        {"daemonSetUid", r.pod.daemonSetUid},
        {"revision", r.pod.revision}}},
      {"containerName", r.containerName},
      {"init", r.init},
      {"restartCount", r.restartCount},
      {"pid", r.pid},
      {"pidStartTime", r.pidStartTime},
      {"processGroup", r.processGroup},
      {"shimPid", r.shimPid},
      {"shimStartTime", r.shimStartTime},
      {"startedAtUnixNano", r.startedAtUnixNano},
      {"logPath", r.logPath},
      {"workingDir", r.workingDir},
      {"cgroupPath", r.cgroupPath},
      {"cgroupMembership", r.cgroupMembership},
      {"terminationGracePeriodSeconds", r.terminationGracePeriodSeconds},
      {"bootId", r.bootId},
  };
  return j.dump(2) + "\n";
}

base::Result<ContainerRecord> decodeRecord(const std::string& text) {
  try {
    Json j = Json::parse(text);
    if (base::jsonIntegerAt<int>(j, "version") != kRecordVersion) return corrupt("unsupported version");
    ContainerRecord r;
    r.id = j.at("id").get<std::string>();
    const Json& pod = j.at("pod");
    r.pod.namespace_ = pod.at("namespace").get<std::string>();
    r.pod.name = pod.at("name").get<std::string>();
    r.pod.uid = pod.at("uid").get<std::string>();
    r.pod.daemonSetName = pod.at("daemonSetName").get<std::string>();
    r.pod.daemonSetUid = pod.at("daemonSetUid").get<std::string>();
    r.pod.revision = pod.at("revision").get<std::string>();
    r.containerName = j.at("containerName").get<std::string>();
    r.init = j.at("init").get<bool>();
    r.restartCount = base::jsonIntegerAt<int>(j, "restartCount");
    r.pid = base::jsonIntegerAt<pid_t>(j, "pid");
    r.pidStartTime = base::jsonIntegerAt<std::uint64_t>(j, "pidStartTime");
    r.processGroup = base::jsonIntegerAt<pid_t>(j, "processGroup");
    r.shimPid = base::jsonIntegerAt<pid_t>(j, "shimPid");
    r.shimStartTime = base::jsonIntegerAt<std::uint64_t>(j, "shimStartTime");
    r.startedAtUnixNano = base::jsonIntegerAt<std::int64_t>(j, "startedAtUnixNano");
    r.logPath = j.at("logPath").get<std::string>();
    r.workingDir = j.value("workingDir", std::string());  // absent in records of older agents
    r.cgroupPath = j.at("cgroupPath").get<std::string>();
    r.cgroupMembership = j.at("cgroupMembership").get<std::string>();
    r.terminationGracePeriodSeconds = base::jsonIntegerAt<std::int64_t>(j, "terminationGracePeriodSeconds");
    r.bootId = j.at("bootId").get<std::string>();
    if (r.id.empty() || r.pid <= 0) return corrupt("missing id or pid");
    return r;
  } catch (const std::exception& e) {
    return corrupt(e.what());
  }
}

std::string encodeExitRecord(const ExitRecord& r) {
  Json j = {{"version", kRecordVersion},  {"id", r.id},
            {"pid", r.pid},               {"exitCode", r.exitCode},
            {"signal", r.signal},         {"coreDumped", r.coreDumped},
            {"oomKilled", r.oomKilled},   {"finishedAtUnixNano", r.finishedAtUnixNano}};
  return j.dump(2) + "\n";
}

base::Result<ExitRecord> decodeExitRecord(const std::string& text) {
  try {
    Json j = Json::parse(text);
    if (base::jsonIntegerAt<int>(j, "version") != kRecordVersion) return corrupt("unsupported version");
    ExitRecord r;
    r.id = j.at("id").get<std::string>();
    r.pid = base::jsonIntegerAt<pid_t>(j, "pid");
    r.exitCode = base::jsonIntegerAt<int>(j, "exitCode");
    r.signal = base::jsonIntegerAt<int>(j, "signal");
    r.coreDumped = j.at("coreDumped").get<bool>();
    r.oomKilled = j.at("oomKilled").get<bool>();
    r.finishedAtUnixNano = base::jsonIntegerAt<std::int64_t>(j, "finishedAtUnixNano");
    return r;
  } catch (const std::exception& e) {
    return corrupt(e.what());
  }
}

std::string recordPath(const std::string& stateDir, const std::string& id) { return stateDir + "/" + id + ".json"; }
std::string exitRecordPath(const std::string& stateDir, const std::string& id) {
  return stateDir + "/" + id + ".exit.json";
}

std::string makeRecordId(const std::string& podUid, const std::string& containerName, int restartCount) {
  // The nonce keeps a retried start with the same restart count from reusing the
  // files (and the exit record) of the attempt before.
  static thread_local std::mt19937_64 random{std::random_device{}()};
  char nonce[9];
  std::snprintf(nonce, sizeof nonce, "%08x", static_cast<unsigned>(random() & 0xffffffffu));
  return podUid + "_" + containerName + "_" + std::to_string(restartCount) + "_" + nonce;
}

std::optional<RecordIdParts> parseRecordId(const std::string& id) {
  // Split from the right: container names are DNS labels (no '_'), the pod uid
  // may hold anything.
  auto nonceAt = id.rfind('_');
  if (nonceAt == std::string::npos || nonceAt == 0) return std::nullopt;
  auto countAt = id.rfind('_', nonceAt - 1);
  if (countAt == std::string::npos || countAt == 0) return std::nullopt;
  auto nameAt = id.rfind('_', countAt - 1);
  if (nameAt == std::string::npos) return std::nullopt;
  RecordIdParts parts;
  parts.podUid = id.substr(0, nameAt);
  parts.containerName = id.substr(nameAt + 1, countAt - nameAt - 1);
  try {
    parts.restartCount = std::stoi(id.substr(countAt + 1, nonceAt - countAt - 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (parts.podUid.empty() || parts.containerName.empty()) return std::nullopt;
  return parts;
}

std::int64_t toUnixNano(base::WallTime time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}
base::WallTime fromUnixNano(std::int64_t nanos) {
  return base::WallTime(std::chrono::duration_cast<base::WallTime::duration>(std::chrono::nanoseconds(nanos)));
}

}  // namespace daemonlet::runtime::process
