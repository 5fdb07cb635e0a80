// Formatting of counts, rates, durations, reasons and sparkline levels.
#include <gtest/gtest.h>

#include "actorscope/view/format.hpp"

using namespace actorscope;

TEST(Format, Counts) {
  EXPECT_EQ(view::format_count(0), "0");
  EXPECT_EQ(view::format_count(999), "999");
  EXPECT_EQ(view::format_count(1234), "1.2k");
  EXPECT_EQ(view::format_count(34'000), "34k");
  EXPECT_EQ(view::format_count(3'400'000), "3.4M");
  EXPECT_EQ(view::format_count(999'999), "1.0M");
}

TEST(Format, RatesAndDurations) {
  EXPECT_EQ(view::format_rate(0), "0");
  EXPECT_EQ(view::format_rate(0.5), "0.5/s");
  EXPECT_EQ(view::format_rate(1500), "1.5k/s");
  EXPECT_EQ(view::format_duration_ns(850), "850ns");
  EXPECT_EQ(view::format_duration_ns(12'000), "12us");
  EXPECT_EQ(view::format_duration_ns(3'400'000), "3.4ms");
  EXPECT_EQ(view::format_duration_ns(1'200'000'000), "1.2s");
  EXPECT_EQ(view::format_duration_ns(185'000'000'000ull), "3m05s");
  EXPECT_EQ(view::format_duration_ns(7'800'000'000'000ull), "2h10m");
}

TEST(Format, ReasonsAndBudgets) {
  EXPECT_EQ(view::format_reason(proto::ExitReason::Error, "boom"), "error: boom");
  EXPECT_EQ(view::format_reason(proto::ExitReason::Normal, ""), "normal");
  EXPECT_EQ(view::format_budget(2, 3, 5000), "2/3 in 5s");
  EXPECT_EQ(view::format_budget(0, 0, 0), "-");
}

TEST(Format, SparklineLevelsScaleToTheMaximum) {
  auto l = view::sparkline_levels({0, 5, 10}, 3, 8);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], 0);
  EXPECT_EQ(l[2], 7);
  EXPECT_EQ(view::sparkline_levels({1, 2, 3, 4}, 2, 8).size(), 2u);  // only the last values
  EXPECT_EQ(view::sparkline_levels({0, 0}, 4, 8), (std::vector<uint8_t>{0, 0}));
}

TEST(Format, NaturalOrder) {
  EXPECT_TRUE(view::natural_less("worker-2", "worker-10"));
  EXPECT_FALSE(view::natural_less("worker-10", "worker-2"));
  EXPECT_TRUE(view::natural_less("a", "b"));
  EXPECT_TRUE(view::natural_less("sup-1.2", "sup-1.10"));
  EXPECT_FALSE(view::natural_less("x", "x"));
}
