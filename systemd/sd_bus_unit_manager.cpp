#include "systemd/sd_bus_unit_manager.h"

#include <sys/stat.h>
#include <systemd/sd-bus.h>

#include <chrono>
#include <cstring>

#include "agent/base/shared_library.h"

namespace daemonlet::systemd {
namespace {

constexpr const char* kDestination = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kManagerInterface = "org.freedesktop.systemd1.Manager";
// A scope starts at once; a stop waits for the unit's processes (SIGTERM, then
// systemd's TimeoutStopSec of 90 s by default before SIGKILL).
constexpr std::chrono::seconds kStartJobTimeout{30};
constexpr std::chrono::seconds kStopJobTimeout{100};
constexpr std::uint64_t kCallTimeoutUsec = 25'000'000;

struct SdBus {
  decltype(&::sd_bus_open_system) openSystem = nullptr;
  decltype(&::sd_bus_flush_close_unref) closeUnref = nullptr;
  decltype(&::sd_bus_message_new_method_call) newMethodCall = nullptr;
  decltype(&::sd_bus_message_unref) messageUnref = nullptr;
  decltype(&::sd_bus_message_append) append = nullptr;
  decltype(&::sd_bus_message_append_basic) appendBasic = nullptr;
  decltype(&::sd_bus_message_open_container) openContainer = nullptr;
  decltype(&::sd_bus_message_close_container) closeContainer = nullptr;
  decltype(&::sd_bus_call) call = nullptr;
  decltype(&::sd_bus_message_read) read = nullptr;
  decltype(&::sd_bus_error_free) errorFree = nullptr;
  decltype(&::sd_bus_match_signal) matchSignal = nullptr;
  decltype(&::sd_bus_slot_unref) slotUnref = nullptr;
  decltype(&::sd_bus_process) process = nullptr;
  decltype(&::sd_bus_wait) wait = nullptr;
};

base::Result<SdBus> loadSdBus() {
  auto library = base::SharedLibrary::open("libsystemd.so.0", "libsystemd0");
  if (!library) return library.error();
  SdBus b;
  for (auto bound : {library->bind(b.openSystem, "sd_bus_open_system"),
                     library->bind(b.closeUnref, "sd_bus_flush_close_unref"),
                     library->bind(b.newMethodCall, "sd_bus_message_new_method_call"),
                     library->bind(b.messageUnref, "sd_bus_message_unref"),
                     library->bind(b.append, "sd_bus_message_append"),
                     library->bind(b.appendBasic, "sd_bus_message_append_basic"),
                     library->bind(b.openContainer, "sd_bus_message_open_container"),
                     library->bind(b.closeContainer, "sd_bus_message_close_container"),
                     library->bind(b.call, "sd_bus_call"), library->bind(b.read, "sd_bus_message_read"),
                     library->bind(b.errorFree, "sd_bus_error_free"),
                     library->bind(b.matchSignal, "sd_bus_match_signal"),
                     library->bind(b.slotUnref, "sd_bus_slot_unref"), library->bind(b.process, "sd_bus_process"),
                     library->bind(b.wait, "sd_bus_wait")}) {
    if (!bound) return bound.error();
  }
  return b;
}

base::Error busError(const std::string& what, int rc, const sd_bus_error* error = nullptr) {
  std::string message = what + ": ";
  if (error != nullptr && error->name != nullptr) {
    message += std::string(error->name) + ": " + (error->message ? error->message : "");
  } else {
    message += std::strerror(rc < 0 ? -rc : rc);
  }
  return base::Error{base::ErrorCode::kUnavailable, message, {}};
}

}  // namespace

struct SdBusUnitManager::Bus {
  SdBus api;
  sd_bus* bus = nullptr;
  sd_bus_slot* jobRemoved = nullptr;
  // The job being waited for and, once systemd removed it, its result.
  std::string awaitedJob;
  std::string result;

  ~Bus() {
    if (jobRemoved != nullptr) api.slotUnref(jobRemoved);
    if (bus != nullptr) api.closeUnref(bus);
  }

  static int onJobRemoved(sd_bus_message* message, void* self, sd_bus_error*) {
    auto* bus = static_cast<Bus*>(self);
    std::uint32_t id = 0;
    const char* job = nullptr;
    const char* unit = nullptr;
    const char* result = nullptr;
    if (bus->api.read(message, "uoss", &id, &job, &unit, &result) < 0) return 0;
    if (job != nullptr && bus->awaitedJob == job) bus->result = result ? result : "";
    return 0;
  }

  // Calls a manager method whose reply is a job path, then waits for the job's
  // JobRemoved signal (subscribed before the call, so it cannot be missed).
  // `fill` appends the arguments.
  template <typename Fill>
  base::Result<std::string> runJob(const char* method, Fill fill, std::chrono::seconds timeout) {
    sd_bus_message* request = nullptr;
    int rc = api.newMethodCall(bus, &request, kDestination, kManagerPath, kManagerInterface, method);
    if (rc < 0) return busError(method, rc);
    rc = fill(request);
    if (rc < 0) {
      api.messageUnref(request);
      return busError(std::string(method) + " arguments", rc);
    }
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    rc = api.call(bus, request, kCallTimeoutUsec, &error, &reply);
    api.messageUnref(request);
    if (rc < 0) {
      base::Error failed = busError(method, rc, &error);
      if (error.name != nullptr && std::strcmp(error.name, "org.freedesktop.systemd1.NoSuchUnit") == 0) {
        failed.code = base::ErrorCode::kNotFound;
      }
      if (error.name != nullptr && std::strcmp(error.name, "org.freedesktop.systemd1.UnitExists") == 0) {
        failed.code = base::ErrorCode::kInvalidArgument;
      }
      api.errorFree(&error);
      return failed;
    }
    const char* job = nullptr;
    rc = api.read(reply, "o", &job);
    awaitedJob = job != nullptr ? job : "";
    result.clear();
    api.messageUnref(reply);
    if (rc < 0) return busError(std::string(method) + " reply", rc);
    return waitForJob(method, timeout);
  }

  base::Result<std::string> waitForJob(const char* method, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (result.empty()) {
      int rc = api.process(bus, nullptr);
      if (rc < 0) return busError(std::string(method) + ": waiting for the job", rc);
      if (rc > 0) continue;
      auto left = deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero()) {
        return base::Error{base::ErrorCode::kUnavailable, std::string(method) + ": job " + awaitedJob +
                                                              " did not finish in " +
                                                              std::to_string(timeout.count()) + " s",
                           {}};
      }
      api.wait(bus, static_cast<std::uint64_t>(
                        std::chrono::duration_cast<std::chrono::microseconds>(left).count()));
    }
    return result;
  }
};

bool systemdIsServiceManager() {
  struct stat st {};
  return ::lstat("/run/systemd/system/", &st) == 0 && S_ISDIR(st.st_mode);
}

base::Result<std::unique_ptr<SdBusUnitManager>> SdBusUnitManager::connect(CgroupLayout layout) {
  auto api = loadSdBus();
  if (!api) return api.error();
  auto bus = std::make_unique<Bus>();
  bus->api = *api;
  int rc = bus->api.openSystem(&bus->bus);
  if (rc < 0) return busError("cannot connect to the system bus", rc);
  rc = bus->api.matchSignal(bus->bus, &bus->jobRemoved, kDestination, kManagerPath, kManagerInterface, "JobRemoved",
                            &Bus::onJobRemoved, bus.get());
  if (rc < 0) return busError("cannot subscribe to systemd's JobRemoved", rc);
  return std::unique_ptr<SdBusUnitManager>(new SdBusUnitManager(std::move(bus), layout));
}

SdBusUnitManager::SdBusUnitManager(std::unique_ptr<Bus> bus, CgroupLayout layout)
    : bus_(std::move(bus)), layout_(layout) {}

SdBusUnitManager::~SdBusUnitManager() = default;

namespace {

// One (sv) entry of a property array.
int appendProperty(const SdBus& api, sd_bus_message* m, const UnitProperty& property) {
  int rc = api.openContainer(m, 'r', "sv");
  if (rc < 0) return rc;
  rc = api.appendBasic(m, 's', property.name.c_str());
  if (rc < 0) return rc;
  if (const auto* text = std::get_if<std::string>(&property.value)) {
    rc = api.append(m, "v", "s", text->c_str());
  } else if (const auto* flag = std::get_if<bool>(&property.value)) {
    rc = api.append(m, "v", "b", static_cast<int>(*flag));
  } else if (const auto* number = std::get_if<std::uint64_t>(&property.value)) {
    rc = api.append(m, "v", "t", *number);
  } else {
    const auto& values = std::get<std::vector<std::uint32_t>>(property.value);
    rc = api.openContainer(m, 'v', "au");
    if (rc >= 0) rc = api.openContainer(m, 'a', "u");
    for (std::uint32_t value : values) {
      if (rc >= 0) rc = api.appendBasic(m, 'u', &value);
    }
    if (rc >= 0) rc = api.closeContainer(m);
    if (rc >= 0) rc = api.closeContainer(m);
  }
  if (rc < 0) return rc;
  return api.closeContainer(m);
}

base::Status jobDone(const base::Result<std::string>& result, const std::string& what, const std::string& unit) {
  if (!result) {
    base::Error error = result.error();
    error.context = unit;
    return error;
  }
  if (*result == "done") return base::Ok{};
  return base::makeError(base::ErrorCode::kUnavailable, what + " job ended with \"" + *result + "\"", unit);
}

}  // namespace

base::Status SdBusUnitManager::startScope(const ScopeRequest& request) {
  const SdBus& api = bus_->api;
  const std::vector<UnitProperty> properties = scopeProperties(request, layout_);
  auto result = bus_->runJob(
      "StartTransientUnit",
      [&](sd_bus_message* m) {
        int rc = api.append(m, "ss", request.unitName.c_str(), "fail");
        if (rc >= 0) rc = api.openContainer(m, 'a', "(sv)");
        for (const UnitProperty& property : properties) {
          if (rc >= 0) rc = appendProperty(api, m, property);
        }
        if (rc >= 0) rc = api.closeContainer(m);
        if (rc >= 0) rc = api.append(m, "a(sa(sv))", 0);
        return rc;
      },
      kStartJobTimeout);
  return jobDone(result, "start", request.unitName);
}

base::Status SdBusUnitManager::attachProcesses(const std::string& unit, const std::vector<pid_t>& pids) {
  const SdBus& api = bus_->api;
  sd_bus_message* request = nullptr;
  int rc = api.newMethodCall(bus_->bus, &request, kDestination, kManagerPath, kManagerInterface,
                             "AttachProcessesToUnit");
  if (rc >= 0) rc = api.append(request, "ss", unit.c_str(), "");
  if (rc >= 0) rc = api.openContainer(request, 'a', "u");
  for (pid_t pid : pids) {
    std::uint32_t value = static_cast<std::uint32_t>(pid);
    if (rc >= 0) rc = api.appendBasic(request, 'u', &value);
  }
  if (rc >= 0) rc = api.closeContainer(request);
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  if (rc >= 0) rc = api.call(bus_->bus, request, kCallTimeoutUsec, &error, &reply);
  if (request != nullptr) api.messageUnref(request);
  if (reply != nullptr) api.messageUnref(reply);
  if (rc >= 0) return base::Ok{};
  base::Error failed = busError("AttachProcessesToUnit", rc, &error);
  failed.context = unit;
  api.errorFree(&error);
  return failed;
}

base::Status SdBusUnitManager::stopUnit(const std::string& unit) {
  const SdBus& api = bus_->api;
  auto result = bus_->runJob(
      "StopUnit", [&](sd_bus_message* m) { return api.append(m, "ss", unit.c_str(), "replace"); }, kStopJobTimeout);
  if (!result && result.error().code == base::ErrorCode::kNotFound) return base::Ok{};
  return jobDone(result, "stop", unit);
}

}  // namespace daemonlet::systemd
