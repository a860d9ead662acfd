#pragma once
// A Prober on a private io_context that records every reported verdict, and
// helpers to run the loop until a condition holds (with a 10 s hang guard; the
// tests never assert on timing).
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "agent/model/types.h"
#include "agent/prober/prober.h"

namespace daemonlet::prober::testing {

struct Reported {
  ProbeKind kind;
  bool success;
};

class ProberHarness {
 public:
  ProberHarness()
      : prober_(io_, [this](const ProbeKey& key, ProbeKind kind, bool success) {
          if (key == key_) reports_.push_back({kind, success});
        }) {}

  boost::asio::io_context& io() { return io_; }
  Prober& prober() { return prober_; }
  const std::vector<Reported>& reports() const { return reports_; }
  const ProbeKey& key() const { return key_; }

  void start(const model::Container& container, const ProbeTarget& target = {}) {
    prober_.start(key_, container, target);
  }

  // Runs the io_context until `done` holds or the guard expires; returns done().
  bool runUntil(const std::function<bool()>& done,
                std::chrono::milliseconds guard = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + guard;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(std::chrono::milliseconds(50));
      if (io_.stopped()) io_.restart();
    }
    return done();
  }

  // Runs the io_context for a while regardless (to show that nothing happens).
  void runFor(std::chrono::milliseconds duration) {
    runUntil([] { return false; }, duration);
  }

  bool hasReport(ProbeKind kind, bool success) const {
    for (const auto& report : reports_) {
      if (report.kind == kind && report.success == success) return true;
    }
    return false;
  }

  std::function<bool()> reported(ProbeKind kind, bool success) const {
    return [this, kind, success] { return hasReport(kind, success); };
  }

 private:
  boost::asio::io_context io_;
  ProbeKey key_{"uid-1", "app", false};
  std::vector<Reported> reports_;
  Prober prober_;  // last: destroyed first, before the io_context and the record
};

// A probe with short timings; handler set by the caller.
inline model::Probe quickProbe(std::int32_t failureThreshold = 1, std::int32_t successThreshold = 1) {
  model::Probe probe;
  probe.periodSeconds = 1;
  probe.timeoutSeconds = 1;
  probe.failureThreshold = failureThreshold;
  probe.successThreshold = successThreshold;
  return probe;
}

inline model::Probe execProbe(std::vector<std::string> command, std::int32_t failureThreshold = 1,
                              std::int32_t successThreshold = 1) {
  model::Probe probe = quickProbe(failureThreshold, successThreshold);
  probe.exec = model::ExecAction{std::move(command)};
  return probe;
}

// A temp directory removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "prober-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Lines in a file the probe commands append to: counts attempts.
inline int lineCount(const std::filesystem::path& file) {
  std::ifstream in(file);
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

}  // namespace daemonlet::prober::testing
