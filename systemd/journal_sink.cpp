#include "systemd/journal_sink.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <vector>

#include "agent/base/shared_library.h"

namespace daemonlet::systemd {
namespace {

int syslogPriority(base::LogLevel level) {
  switch (level) {
    case base::LogLevel::kError: return 3;
    case base::LogLevel::kWarning: return 4;
    case base::LogLevel::kInfo: return 6;
    case base::LogLevel::kDebug: return 7;
  }
  return 6;
}

// Fields a record must not set itself: journald's and systemd's own meanings.
bool reservedJournalField(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kReserved = {
      "MESSAGE",        "MESSAGE_ID", "PRIORITY",           "CODE_FILE", "CODE_LINE", "CODE_FUNC",
      "ERRNO",          "TID",        "INVOCATION_ID",      "UNIT",      "USER_UNIT", "DOCUMENTATION"};
  for (std::string_view reserved : kReserved) {
    if (name == reserved) return true;
  }
  return name.rfind("SYSLOG_", 0) == 0 || name.rfind("OBJECT_", 0) == 0 || name.rfind("COREDUMP_", 0) == 0;
}

bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string journalFieldName(std::string_view key) {
  std::string name;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    // A word starts at an upper-case letter after a lower-case one or a digit
    // ("containerID" -> CONTAINER_ID), or before a lower-case one in a run of
    // capitals ("HTTPServer" -> HTTP_SERVER).
    const bool wordStart = i > 0 && isUpper(c) &&
                           (isLower(key[i - 1]) || isDigit(key[i - 1]) ||
                            (isUpper(key[i - 1]) && i + 1 < key.size() && isLower(key[i + 1])));
    if (wordStart && !name.empty() && name.back() != '_') name += '_';
    if (isLower(c)) {
      name += static_cast<char>(c - 'a' + 'A');
    } else if (isUpper(c) || isDigit(c)) {
      name += c;
    } else if (!name.empty() && name.back() != '_') {
      name += '_';
    }
  }
  while (!name.empty() && name.back() == '_') name.pop_back();
  if (name.empty() || !isUpper(name.front()) || reservedJournalField(name)) name = "DAEMONLET_" + name;
  if (name.size() > 64) name.resize(64);
  return name;
}

bool isJournalStream(const char* journalStream, dev_t dev, ino_t ino) {
  if (journalStream == nullptr) return false;
  char* end = nullptr;
  const unsigned long long streamDev = std::strtoull(journalStream, &end, 10);
  if (end == journalStream || *end != ':') return false;
  const char* inoText = end + 1;
  const unsigned long long streamIno = std::strtoull(inoText, &end, 10);
  if (end == inoText || *end != '\0') return false;
  return streamDev == static_cast<unsigned long long>(dev) && streamIno == static_cast<unsigned long long>(ino);
}

std::unique_ptr<JournalSink> JournalSink::forStderr() {
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0 || !isJournalStream(std::getenv("JOURNAL_STREAM"), st.st_dev, st.st_ino)) {
    return nullptr;
  }
  auto library = base::SharedLibrary::open("libsystemd.so.0", "libsystemd0");
  if (!library) return nullptr;  // the stream still reaches the journal, as lines
  SendV sendv = nullptr;
  if (!library->bind(sendv, "sd_journal_sendv")) return nullptr;
  return std::unique_ptr<JournalSink>(new JournalSink(sendv));
}

void JournalSink::write(base::LogLevel level, std::string_view message,
                        std::initializer_list<base::LogField> fields) {
  std::vector<std::string> entries;
  entries.reserve(fields.size() + 3);
  entries.push_back("MESSAGE=" + std::string(message) + base::formatLogFields(fields));
  entries.push_back("PRIORITY=" + std::to_string(syslogPriority(level)));
  entries.push_back("SYSLOG_IDENTIFIER=daemonlet");
  for (const auto& [key, value] : fields) entries.push_back(journalFieldName(key) + "=" + value);
  std::vector<::iovec> vectors;
  vectors.reserve(entries.size());
  for (std::string& entry : entries) vectors.push_back({entry.data(), entry.size()});
  // A failed send (journald restarting) loses the record, as a full stderr pipe would block it.
  (void)sendv_(vectors.data(), static_cast<int>(vectors.size()));
}

}  // namespace daemonlet::systemd
