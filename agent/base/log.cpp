#include "agent/base/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "agent/base/result.h"

namespace daemonlet::base {
namespace {

std::atomic<int> gMinLevel{static_cast<int>(LogLevel::kInfo)};
std::atomic<LogSink*> gSink{nullptr};

const char* levelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

// Values with spaces or quotes are quoted so a line stays machine-splittable.
void appendValue(std::string& out, std::string_view value) {
  bool plain = !value.empty() && value.find_first_of(" \"=\t\n") == std::string_view::npos;
  if (plain) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += '"';
}

void writeStderr(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  std::string line = "level=";
  line += levelName(level);
  line += " msg=";
  appendValue(line, message);
  line += formatLogFields(fields);
  line += '\n';
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

std::string formatLogFields(std::initializer_list<LogField> fields) {
  std::string out;
  for (const auto& [key, value] : fields) {
    out += ' ';
    out += key;
    out += '=';
    appendValue(out, value);
  }
  return out;
}

void setLogLevel(LogLevel level) { gMinLevel = static_cast<int>(level); }
void setLogSink(LogSink* sink) { gSink = sink; }

void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < gMinLevel) return;
  if (LogSink* sink = gSink.load()) {
    sink->write(level, message, fields);
    return;
  }
  writeStderr(level, message, fields);
}

void assertionFailed(const char* cond, const std::string& msg, const char* file, int line) {
  log(LogLevel::kError, "assertion failed",
      {{"condition", cond}, {"detail", msg}, {"at", std::string(file) + ":" + std::to_string(line)}});
  std::abort();
}

}  // namespace daemonlet::base
