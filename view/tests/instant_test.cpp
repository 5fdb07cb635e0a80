// Instants as users type them (the TUI's t and --at, the GUI's timeline) and as every viewer
// shows them, checked against times computed here with timegm, in two time zones.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <time.h>

#include "actorscope/view/instant.hpp"

namespace {

using namespace actorscope;
namespace pv = proto::viewer;

constexpr uint64_t kNs = 1'000'000'000;

uint64_t utc(int y, int mo, int d, int h, int mi, int s) {
  tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = mo - 1;
  t.tm_mday = d;
  t.tm_hour = h;
  t.tm_min = mi;
  t.tm_sec = s;
  return static_cast<uint64_t>(timegm(&t)) * kNs;
}

struct InTimeZone {
  explicit InTimeZone(const char* tz) {
    setenv("TZ", tz, 1);
    tzset();
  }
  ~InTimeZone() {
    unsetenv("TZ");
    tzset();
  }
};

TEST(Instant, ParsesWhatUsersTypeInUtc) {
  InTimeZone zone("UTC0");
  const uint64_t now = utc(2026, 12, 1, 10, 58, 0);
  uint64_t w = 1;
  std::string error;
  ASSERT_TRUE(view::parse_instant("now", now, w, error));
  EXPECT_EQ(w, 0u);
  ASSERT_TRUE(view::parse_instant(" live ", now, w, error));
  EXPECT_EQ(w, 0u);
  ASSERT_TRUE(view::parse_instant("10:42:17.300", now, w, error)) << error;
  EXPECT_EQ(w, utc(2026, 12, 1, 10, 42, 17) + 300'000'000);
  ASSERT_TRUE(view::parse_instant("10:42", now, w, error)) << error;
  EXPECT_EQ(w, utc(2026, 12, 1, 10, 42, 0));
  ASSERT_TRUE(view::parse_instant("23:00:00", now, w, error)) << error;
  EXPECT_EQ(w, utc(2026, 11, 30, 23, 0, 0)) << "later than now today: yesterday's";
  ASSERT_TRUE(view::parse_instant("-90s", now, w, error)) << error;
  EXPECT_EQ(w, now - 90 * kNs);
  ASSERT_TRUE(view::parse_instant("-1h30m", now, w, error)) << error;
  EXPECT_EQ(w, now - 5400 * kNs);
  ASSERT_TRUE(view::parse_instant("-250ms", now, w, error)) << error;
  EXPECT_EQ(w, now - 250'000'000);
  ASSERT_TRUE(view::parse_instant("2026-11-30 08:00:00", now, w, error)) << error;
  EXPECT_EQ(w, utc(2026, 11, 30, 8, 0, 0));
  ASSERT_TRUE(view::parse_instant("2026-11-30T08:00:00.5", now, w, error)) << error;
  EXPECT_EQ(w, utc(2026, 11, 30, 8, 0, 0) + 500'000'000);
  ASSERT_TRUE(view::parse_instant("@1764585737.5", now, w, error)) << error;
  EXPECT_EQ(w, 1764585737ull * kNs + 500'000'000);
}

TEST(Instant, RefusesWhatIsNotAnInstantWithTheTextInTheMessage) {
  InTimeZone zone("UTC0");
  const uint64_t now = utc(2026, 12, 1, 10, 58, 0);
  uint64_t w = 0;
  for (const char* bad : {"", "25:00", "10:61", "10:42:17.", "-5x", "-", "yesterday", "2026-13-01 10:00:00", "@abc", "10:42:17pm"}) {
    std::string error;
    EXPECT_FALSE(view::parse_instant(bad, now, w, error)) << bad;
    EXPECT_NE(error.find(std::string("'") + bad + "'"), std::string::npos) << error;
  }
}

TEST(Instant, LocalTimeIsTheUsersZone) {
  InTimeZone zone("CET-1");  // UTC+1, no summer time: no zone database needed
  const uint64_t now = utc(2026, 12, 1, 10, 58, 0);  // 11:58 local
  uint64_t w = 0;
  std::string error;
  ASSERT_TRUE(view::parse_instant("11:42:17", now, w, error)) << error;
  EXPECT_EQ(w, utc(2026, 12, 1, 10, 42, 17));
  EXPECT_EQ(view::format_instant(w + 300'000'000, now), "11:42:17.300");
  EXPECT_EQ(view::format_instant(utc(2026, 11, 30, 22, 59, 59), now), "2026-11-30 23:59:59.000") << "another day: with its date";
  EXPECT_EQ(view::format_instant(utc(2026, 11, 30, 23, 0, 0), now), "00:00:00.000") << "midnight local is today";
}

TEST(Instant, TheBannerAndTheStepsFollowWhatTheCollectorSaid) {
  InTimeZone zone("UTC0");
  const uint64_t now = utc(2026, 12, 1, 10, 58, 0);
  view::Replica r;
  EXPECT_EQ(view::instant_banner(r, now), "");
  EXPECT_EQ(view::history_reach(r, now), "");
  EXPECT_EQ(view::step_instant(r, now, -10), now - 10 * kNs) << "from live, back from now";
  pv::InstantShown shown;
  shown.request = 4;
  shown.mode = pv::InstantMode::Past;
  shown.wall_ns = utc(2026, 12, 1, 10, 42, 17) + 300'000'000;
  shown.begins_wall_ns = utc(2026, 12, 1, 9, 58, 0);
  shown.ends_wall_ns = now - kNs;
  r.on(shown);
  EXPECT_TRUE(r.showing_past());
  EXPECT_FALSE(r.past_ready()) << "its snapshot has not come yet";
  EXPECT_EQ(view::instant_banner(r, now), "PAST 10:42:17.300");
  EXPECT_EQ(view::history_reach(r, now), "history from 09:58:00 to 10:57:59");
  EXPECT_EQ(view::step_instant(r, now, -10), shown.wall_ns - 10 * kNs);
  EXPECT_EQ(view::step_instant(r, now, 10), shown.wall_ns + 10 * kNs);
  EXPECT_EQ(view::step_instant(r, now, 3600), 0u) << "past the newest instant: live";
  EXPECT_EQ(view::step_instant(r, now, -7200), shown.begins_wall_ns) << "not before the history begins";
  r.on(pv::SnapshotBegin{1, 0, 0});
  r.on(pv::SnapshotEnd{1});
  EXPECT_TRUE(r.past_ready());
  // A refusal keeps what is shown and says why.
  pv::InstantShown refused;
  refused.mode = pv::InstantMode::Refused;
  refused.message = "that instant is before this collector's history begins";
  r.on(refused);
  EXPECT_EQ(view::instant_banner(r, now), "PAST 10:42:17.300");
  EXPECT_EQ(view::instant_refusal(r), refused.message);
}

}  // namespace
