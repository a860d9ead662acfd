#include "runtime/process/shim_protocol.h"

#include <nlohmann/json.hpp>

#include "agent/base/json_integer.h"

namespace daemonlet::runtime::process {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json optionalToJson(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}
template <typename T>
std::optional<T> optionalFromJson(const Json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return base::jsonIntegerAt<T>(j, key);
}

}  // namespace

std::string encodeShimSpec(const ShimSpec& s) {
  Json j = {{"id", s.id},
            {"recordDir", s.recordDir},
            {"argv", s.argv},
            {"env", s.env},
            {"workingDir", s.workingDir},
            {"uid", optionalToJson(s.uid)},
            {"gid", optionalToJson(s.gid)},
            {"logPath", s.logPath},
            {"logMaxBytes", s.logMaxBytes},
            {"logMaxFiles", s.logMaxFiles},
            {"cgroupPath", s.cgroupPath},
            {"extraCgroupPaths", s.extraCgroupPaths},
            {"memoryMaxBytes", optionalToJson(s.memoryMaxBytes)},
            {"cpuMaxMillis", optionalToJson(s.cpuMaxMillis)},
            {"syncExitRecord", s.syncExitRecord},
            {"security", encodeShimSecurity(s.security)}};
  return j.dump();
}

base::Result<ShimSpec> decodeShimSpec(const std::string& text) {
  try {
    Json j = Json::parse(text);
    ShimSpec s;
    s.id = j.at("id").get<std::string>();
    s.recordDir = j.at("recordDir").get<std::string>();
    s.argv = j.at("argv").get<std::vector<std::string>>();
    s.env = j.at("env").get<std::vector<std::string>>();
    s.workingDir = j.at("workingDir").get<std::string>();
    s.uid = optionalFromJson<std::int64_t>(j, "uid");
    s.gid = optionalFromJson<std::int64_t>(j, "gid");
    s.logPath = j.at("logPath").get<std::string>();
    s.logMaxBytes = base::jsonIntegerAt<std::int64_t>(j, "logMaxBytes");
    s.logMaxFiles = base::jsonIntegerAt<int>(j, "logMaxFiles");
    s.cgroupPath = j.at("cgroupPath").get<std::string>();
    if (j.contains("extraCgroupPaths")) s.extraCgroupPaths = j.at("extraCgroupPaths").get<std::vector<std::string>>();
    s.memoryMaxBytes = optionalFromJson<std::int64_t>(j, "memoryMaxBytes");
    s.cpuMaxMillis = optionalFromJson<std::int64_t>(j, "cpuMaxMillis");
    s.syncExitRecord = j.value("syncExitRecord", true);
    auto security = decodeShimSecurity(j.contains("security") ? j.at("security") : Json());
    if (!security) return security.error();
    s.security = *security;
    if (s.argv.empty()) return base::makeError(base::ErrorCode::kInvalidArgument, "spec has no command");
    return s;
  } catch (const std::exception& e) {
    return base::makeError(base::ErrorCode::kInvalidArgument, std::string("bad shim spec: ") + e.what());
  }
}

std::string encodeShimReport(const ShimReport& r) {
  Json j = {{"started", r.started},
            {"error", r.error},
            {"pid", r.pid},
            {"pidStartTime", r.pidStartTime},
            {"shimPid", r.shimPid},
            {"shimStartTime", r.shimStartTime},
            {"startedAtUnixNano", r.startedAtUnixNano},
            {"cgroupPath", r.cgroupPath},
            {"warnings", r.warnings},
            {"securityApplied", r.securityApplied}};
  return j.dump();
}

base::Result<ShimReport> decodeShimReport(const std::string& text) {
  try {
    Json j = Json::parse(text);
    ShimReport r;
    r.started = j.at("started").get<bool>();
    r.error = j.at("error").get<std::string>();
    r.pid = base::jsonIntegerAt<pid_t>(j, "pid");
    r.pidStartTime = base::jsonIntegerAt<std::uint64_t>(j, "pidStartTime");
    r.shimPid = base::jsonIntegerAt<pid_t>(j, "shimPid");
    r.shimStartTime = base::jsonIntegerAt<std::uint64_t>(j, "shimStartTime");
    r.startedAtUnixNano = base::jsonIntegerAt<std::int64_t>(j, "startedAtUnixNano");
    r.cgroupPath = j.at("cgroupPath").get<std::string>();
    r.warnings = j.at("warnings").get<std::vector<std::string>>();
    r.securityApplied = j.value("securityApplied", false);
    return r;
  } catch (const std::exception& e) {
    return base::makeError(base::ErrorCode::kInternal, std::string("bad shim report: ") + e.what());
  }
}

}  // namespace daemonlet::runtime::process
