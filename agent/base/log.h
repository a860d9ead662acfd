#pragma once
// Logging facade: levels and key=value fields. Under systemd the sink becomes
// journald (systemd/journal_sink.h); otherwise lines go to stderr. Model and decision code never
// log: they return values and the caller logs once.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace daemonlet::base {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

using LogField = std::pair<std::string_view, std::string>;

// A sink receives fully formed records; the default writes logfmt-style lines to stderr.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void write(LogLevel level, std::string_view message, std::initializer_list<LogField> fields) = 0;
};

// Process-wide settings are deliberately tiny: the minimum level and the sink. They
// are set once in main() before any thread starts.
void setLogLevel(LogLevel level);
void setLogSink(LogSink* sink);  // nullptr restores stderr

// " key=value key2=\"a value\"": the fields as a line shows them (values with
// spaces, quotes or '=' quoted), for sinks that write lines.
std::string formatLogFields(std::initializer_list<LogField> fields);

void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});
inline void logInfo(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::kInfo, m, f); }
inline void logWarning(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::kWarning, m, f); }
inline void logError(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::kError, m, f); }
inline void logDebug(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::kDebug, m, f); }

}  // namespace daemonlet::base
