// The timeline's pure parts: a drag asks for few instants and always for the last one, and
// the time labels fall on round instants inside the span.
#include <gtest/gtest.h>

#include "charts.hpp"
#include "timeline.hpp"

namespace actorscope::gui {
namespace {

constexpr uint64_t kSecond = 1'000'000'000ull;

TEST(DragThrottle, AFastDragAsksOncePerIntervalAndForWhereItEnds) {
  DragThrottle t(0.1);
  int sent = 0;
  // 200 positions within 50 ms: the first is asked for, the others wait
  for (int i = 0; i < 200; ++i)
    if (t.moved(1000 * kSecond + i * 1'000'000ull, i * 0.00025)) ++sent;
  EXPECT_EQ(sent, 1);
  // the release asks for the position the drag ended on
  auto last = t.released(1000 * kSecond + 199 * 1'000'000ull);
  ASSERT_TRUE(last);
  EXPECT_EQ(*last, 1000 * kSecond + 199 * 1'000'000ull);
}

TEST(DragThrottle, AClickAsksOnceAndAMoveAfterTheIntervalAsksAgain) {
  DragThrottle t(0.1);
  EXPECT_TRUE(t.moved(5 * kSecond, 10.0));
  EXPECT_FALSE(t.moved(5 * kSecond, 10.5));  // the same instant is not asked twice
  EXPECT_FALSE(t.released(5 * kSecond));     // nor on release
  EXPECT_TRUE(t.moved(6 * kSecond, 11.0));   // a new drag starts afresh
  EXPECT_FALSE(t.moved(7 * kSecond, 11.05));
  EXPECT_TRUE(t.moved(8 * kSecond, 11.2));
}

TEST(TimeTicks, RoundInstantsInsideTheSpanFarEnoughApart) {
  const uint64_t begins = 1'764'585'737ull * kSecond + 300'000'000ull, ends = begins + 3600 * kSecond;
  const auto ticks = time_ticks(begins, ends, 1200, 80);
  ASSERT_GE(ticks.size(), 4u);
  for (size_t i = 0; i < ticks.size(); ++i) {
    EXPECT_GE(ticks[i].wall_ns, begins);
    EXPECT_LE(ticks[i].wall_ns, ends);
    EXPECT_EQ(ticks[i].wall_ns % kSecond, 0u);
    if (i) {
      EXPECT_GE(ticks[i].x - ticks[i - 1].x, 80.0f);
    }
  }
  EXPECT_EQ(clock_label(ticks[0].wall_ns).size(), 8u);  // HH:MM:SS
}

TEST(TimeTicks, NoneForAnEmptySpan) {
  EXPECT_TRUE(time_ticks(10 * kSecond, 10 * kSecond, 1000, 50).empty());
}

}  // namespace
}  // namespace actorscope::gui
