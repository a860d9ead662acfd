// AGE as kubectl prints it: apimachinery's HumanDuration rounding.
#include "agent/kubeapi/human_time.h"

#include <gtest/gtest.h>

namespace daemonlet::kubeapi {
namespace {

TEST(HumanDurationTest, Table) {
  using namespace std::chrono;
  struct Row {
    seconds elapsed;
    const char* text;
  };
  for (const Row& row : std::vector<Row>{{seconds(-5), "<invalid>"},
                                         {seconds(0), "0s"},
                                         {seconds(119), "119s"},
                                         {seconds(120), "2m"},
                                         {seconds(200), "3m20s"},
                                         {minutes(10) + seconds(5), "10m"},
                                         {hours(3) + minutes(5), "3h5m"},
                                         {hours(5), "5h"},
                                         {hours(30), "30h"},
                                         {hours(50), "2d2h"},
                                         {hours(24 * 10), "10d"},
                                         {hours(24 * (365 * 3 + 4)), "3y4d"},
                                         {hours(24 * 365 * 9), "9y"}}) {
    SCOPED_TRACE(row.text);
    EXPECT_EQ(humanDuration(row.elapsed), row.text);
  }
  EXPECT_EQ(ageOf(model::Json(), system_clock::now()), "<unknown>");
}

}  // namespace
}  // namespace daemonlet::kubeapi
