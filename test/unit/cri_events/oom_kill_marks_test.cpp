// OomKillMarks: an OOM event's mark lasts until the container's exit takes it,
// and the marks of ids whose exit never comes age out past the capacity.
#include "runtime/cri/oom_kill_marks.h"

#include <gtest/gtest.h>

namespace daemonlet::runtime::cri {
namespace {

TEST(OomKillMarks, AMarkIsTakenOnce) {
  OomKillMarks marks;
  marks.mark("abc");
  EXPECT_TRUE(marks.contains("abc"));
  EXPECT_TRUE(marks.take("abc"));
  EXPECT_FALSE(marks.take("abc")) << "a second exit of the same id is not OOM-killed again";
  EXPECT_FALSE(marks.contains("abc"));
}

TEST(OomKillMarks, AnUnmarkedIdIsNotTaken) {
  OomKillMarks marks;
  marks.mark("abc");
  EXPECT_FALSE(marks.take("abd"));
  EXPECT_EQ(marks.size(), 1u);
}

TEST(OomKillMarks, RepeatedOomEventsOfOneContainerAreOneMark) {
  // The OOM killer may act several times in one cgroup before the exit.
  OomKillMarks marks(2);
  marks.mark("abc");
  marks.mark("abc");
  marks.mark("def");
  EXPECT_EQ(marks.size(), 2u);
  EXPECT_TRUE(marks.contains("abc"));
}

TEST(OomKillMarks, TheOldestMarkGoesPastTheCapacity) {
  OomKillMarks marks(3);
  for (const char* id : {"sandbox-1", "kubelet-2", "ours-3", "ours-4"}) marks.mark(id);
  EXPECT_EQ(marks.size(), 3u);
  EXPECT_FALSE(marks.contains("sandbox-1"));
  EXPECT_TRUE(marks.contains("ours-3"));
  EXPECT_TRUE(marks.contains("ours-4"));
}

TEST(OomKillMarks, ForgetDropsTheMarkOfARemovedContainer) {
  OomKillMarks marks;
  marks.mark("abc");
  marks.forget("abc");
  marks.forget("never-marked");
  EXPECT_EQ(marks.size(), 0u);
}

}  // namespace
}  // namespace daemonlet::runtime::cri
