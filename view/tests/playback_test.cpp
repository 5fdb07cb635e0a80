// Playing the past forward: the instant follows a (test) real clock times the speed, one
// request at a time, and goes live past the newest instant kept.
#include <gtest/gtest.h>

#include "actorscope/view/playback.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {
constexpr uint64_t kS = 1'000'000'000ull;
constexpr uint64_t kBegins = 1'700'000'000ull * kS, kEnds = kBegins + 3600 * kS;

// The collector's answer to request `req`: the past at `wall` (with its snapshot), or live.
void shown(view::Replica& r, uint64_t req, uint64_t wall) {
  std::vector<uint8_t> buf;
  proto::Writer w{buf};
  pv::InstantShown s;
  s.request = req;
  s.mode = wall ? pv::InstantMode::Past : pv::InstantMode::Live;
  s.wall_ns = wall;
  s.begins_wall_ns = kBegins;
  s.ends_wall_ns = kEnds;
  pv::encode(w, s);
  pv::encode(w, pv::SnapshotBegin{req, 0, 0});
  pv::encode(w, pv::SnapshotEnd{req});
  pv::encode(w, pv::Tick{req, wall, 0});
  ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
}
}  // namespace

TEST(Playback, TheInstantFollowsTheClockTimesTheSpeedOneRequestAtATime) {
  view::Replica r;
  shown(r, 1, kBegins + 60 * kS);
  ASSERT_TRUE(r.past_ready());
  view::Playback p;
  ASSERT_TRUE(p.play(r, kEnds, 10 * kS));
  EXPECT_EQ(p.position(), kBegins + 60 * kS);
  EXPECT_EQ(p.change_speed(+1), 2.0);
  EXPECT_EQ(p.change_speed(+1), 4.0);
  // half a second later at 4x: two seconds on
  auto next = p.tick(r, 1, kEnds, 10 * kS + kS / 2);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, kBegins + 62 * kS);
  // request 2 is not answered yet: nothing more is asked, however long it takes
  EXPECT_FALSE(p.tick(r, 2, kEnds, 11 * kS));
  shown(r, 2, *next);
  next = p.tick(r, 2, kEnds, 12 * kS);  // 1.5 s more at 4x
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, kBegins + 68 * kS);
  shown(r, 3, *next);
  EXPECT_FALSE(p.tick(r, 3, kEnds, 12 * kS + view::Playback::kMinStepNs / 2)) << "not sooner than the minimum step";
  p.pause();
  EXPECT_FALSE(p.tick(r, 3, kEnds, 20 * kS));
  EXPECT_EQ(p.status(kEnds), "paused");
}

TEST(Playback, PastTheNewestInstantItGoesLiveAndStops) {
  view::Replica r;
  shown(r, 1, kEnds - kS);
  view::Playback p;
  ASSERT_TRUE(p.play(r, kEnds, 0));
  auto next = p.tick(r, 1, kEnds, 2 * kS);
  ASSERT_TRUE(next);
  EXPECT_EQ(*next, 0u) << "live";
  EXPECT_FALSE(p.playing());
}

TEST(Playback, FromLiveItStartsWhereHistoryBeginsAndWithoutHistoryItDoesNotStart) {
  view::Replica none;
  view::Playback p;
  EXPECT_FALSE(p.play(none, kEnds, 0));
  view::Replica r;
  shown(r, 1, 0);  // live, with the reach of the history
  ASSERT_TRUE(p.play(r, kEnds, 0));
  EXPECT_EQ(p.position(), kBegins);
  EXPECT_EQ(p.change_speed(-10), 0.25);
  EXPECT_EQ(p.change_speed(+100), 64.0);
}
