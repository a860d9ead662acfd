#pragma once
// Log records as journald entries with their fields, when systemd connected the
// agent's stderr to the journal: $JOURNAL_STREAM names that stream's
// device:inode (systemd.exec(5)), and only when stderr still is it do records go
// to sd_journal_sendv instead. Each record becomes
//   MESSAGE=<msg> key=value ...   (the line as stderr would show it, minus level=)
//   PRIORITY=<syslog level>       (error 3, warning 4, info 6, debug 7)
//   SYSLOG_IDENTIFIER=daemonlet
//   one field per key, upper snake case: pod= -> POD=, containerID= -> CONTAINER_ID=
// so `journalctl -u daemonlet POD=heartbeat-x7k2p` and `-p warning` work. libsystemd
// is opened with dlopen (base/shared_library.h), only in that case.
#include <sys/types.h>
#include <sys/uio.h>

#include <memory>
#include <string>
#include <string_view>

#include "agent/base/log.h"

namespace daemonlet::systemd {

class JournalSink final : public base::LogSink {
 public:
  // The sink when stderr is the journal stream and libsystemd loads; nullptr
  // otherwise (records stay lines on stderr, which journald also keeps).
  static std::unique_ptr<JournalSink> forStderr();

  void write(base::LogLevel level, std::string_view message,
             std::initializer_list<base::LogField> fields) override;

 private:
  using SendV = int (*)(const ::iovec*, int);
  explicit JournalSink(SendV sendv) : sendv_(sendv) {}
  SendV sendv_;
};

// The journal field a log key becomes: upper snake case, letters, digits and
// '_' only, starting with a letter, at most 64 bytes; a name journald or
// systemd gives its own meaning (MESSAGE, PRIORITY, CODE_FILE, SYSLOG_*, ...)
// gets the prefix DAEMONLET_. Pure.
std::string journalFieldName(std::string_view key);

// Whether $JOURNAL_STREAM ("<dev>:<inode>") names the file (dev, ino). Pure.
bool isJournalStream(const char* journalStream, dev_t dev, ino_t ino);

}  // namespace daemonlet::systemd
