// How log records map onto journald: field names from log keys, and whether
// $JOURNAL_STREAM names stderr.
#include "systemd/journal_sink.h"

#include <gtest/gtest.h>

namespace daemonlet::systemd {
namespace {

TEST(JournalFieldName, UpperSnakeCaseWithReservedNamesPrefixed) {
  struct Case {
    const char* key;
    const char* field;
  } cases[] = {
      {"pod", "POD"},
      {"containerID", "CONTAINER_ID"},
      {"restartCount", "RESTART_COUNT"},
      {"HTTPServer", "HTTP_SERVER"},
      {"ipv4Address", "IPV4_ADDRESS"},
      {"retry-after", "RETRY_AFTER"},
      {"a.b", "A_B"},
      {"message", "DAEMONLET_MESSAGE"},    // journald's own MESSAGE
      {"priority", "DAEMONLET_PRIORITY"},  // and PRIORITY
      {"syslog_identifier", "DAEMONLET_SYSLOG_IDENTIFIER"},
      {"unit", "DAEMONLET_UNIT"},
      {"_hidden", "HIDDEN"},  // a leading '_' would make it a trusted field: dropped
      {"9lives", "DAEMONLET_9LIVES"},
      {"", "DAEMONLET_"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.key);
    EXPECT_EQ(journalFieldName(c.key), c.field);
  }
  EXPECT_EQ(journalFieldName(std::string(100, 'a')).size(), 64u);
}

TEST(IsJournalStream, MatchesDeviceAndInodeExactly) {
  EXPECT_TRUE(isJournalStream("8:12345", 8, 12345));
  EXPECT_FALSE(isJournalStream("8:12345", 8, 12346));
  EXPECT_FALSE(isJournalStream("9:12345", 8, 12345));
  EXPECT_FALSE(isJournalStream(nullptr, 8, 12345));
  EXPECT_FALSE(isJournalStream("", 8, 12345));
  EXPECT_FALSE(isJournalStream("8:", 8, 0));
  EXPECT_FALSE(isJournalStream("8:12345x", 8, 12345));
  EXPECT_FALSE(isJournalStream(":12345", 0, 12345));
}

}  // namespace
}  // namespace daemonlet::systemd
