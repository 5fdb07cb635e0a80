// Unit tests of links and monitors in the model: both ends, bounds, removal on exit and resync.
#include <gtest/gtest.h>

#include <algorithm>

#include "actorscope/collector/model.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using proto::ExitReason;
using proto::LinkOp;
using testing::Stream;

// "other:kind[xcount]" per end, in order: compact to compare.
std::vector<std::string> ends(const Model& m, NodeKey n, uint64_t id) {
  std::vector<std::string> out;
  for (const ActorLink& l : m.links(n, id)) {
    std::string s = std::to_string(l.other) + ":" + std::string(name(l.kind));
    if (l.count != 1) s += "x" + std::to_string(l.count);
    out.push_back(s);
  }
  return out;
}
using Ends = std::vector<std::string>;

TEST(ModelLinks, LinksAreSymmetricAndMonitorsHaveADirection) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "w").spawn(2, 0, "w").spawn(3, 0, "w");
  s.link(1, 2).link(1, 3, LinkOp::Monitor).link(1, 3, LinkOp::Monitor).link(1, 2);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(ends(m, n, 1), (Ends{"2:link", "3:monitorsx2"})) << "linking twice is one link; two monitors are two";
  EXPECT_EQ(ends(m, n, 2), (Ends{"1:link"}));
  EXPECT_EQ(ends(m, n, 3), (Ends{"1:monitored_byx2"}));
  EXPECT_TRUE(m.actor(n, 1)->flags & kActorLinked);

  s.link(1, 3, LinkOp::Demonitor).link(2, 1, LinkOp::Unlink);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(ends(m, n, 1), (Ends{"3:monitors"})) << "unlink works from either end; one demonitor removes one";
  EXPECT_EQ(ends(m, n, 2), Ends{});
  EXPECT_FALSE(m.actor(n, 2)->flags & kActorLinked);
  s.link(1, 3, LinkOp::Demonitor);
  s.apply(m, n);
  EXPECT_TRUE(m.links(n, 1).empty());
  EXPECT_TRUE(m.links(n, 3).empty());
  EXPECT_EQ(m.stats().links, 0u);
}

TEST(ModelLinks, AnExitRemovesBothEnds) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "w").spawn(2, 0, "w").spawn(3, 0, "w");
  s.link(1, 2).link(3, 1, LinkOp::Monitor).link(2, 3);
  s.apply(m, n);
  EXPECT_EQ(m.stats().links, 6u);
  uint64_t v = m.version();
  s.exit(1, ExitReason::Error, "boom");
  s.apply(m, n);
  EXPECT_TRUE(m.links(n, 1).empty());
  EXPECT_EQ(ends(m, n, 2), (Ends{"3:link"}));
  EXPECT_EQ(ends(m, n, 3), (Ends{"2:link"}));
  EXPECT_EQ(m.stats().links, 2u);
  std::vector<Change> changes;
  ASSERT_EQ(m.changes_since(v, changes), SinceResult::Ok);
  auto changed = [&](uint64_t id) {
    return std::any_of(changes.begin(), changes.end(),
                       [&](const Change& c) { return c.actor == id && c.kind == ChangeKind::ActorChanged; });
  };
  EXPECT_TRUE(changed(2) && changed(3)) << "viewers learn that the survivors' links changed";
}

TEST(ModelLinks, EachActorKeepsABoundedSetAndCountsTheRest) {
  ModelSettings st;
  st.max_links_per_actor = 3;
  Model m(st);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  for (uint64_t id = 1; id <= 6; ++id) s.spawn(id, 0, "w");
  for (uint64_t id = 2; id <= 6; ++id) s.link(1, id);
  s.apply(m, n);
  EXPECT_EQ(ends(m, n, 1), (Ends{"2:link", "3:link", "4:link"}));
  EXPECT_EQ(m.links_over_cap(n, 1), 2u);
  EXPECT_EQ(m.stats().links_dropped, 2u);
  EXPECT_TRUE(m.links(n, 5).empty()) << "both ends or neither: an exit of 1 must find every other end";
  s.exit(1, ExitReason::Normal);
  s.apply(m, n);
  for (uint64_t id = 2; id <= 6; ++id) EXPECT_TRUE(m.links(n, id).empty()) << id;
}

TEST(ModelLinks, UnknownEndsAndBadInputAreTolerated) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "w");
  s.link(1, 77);         // 77: not on this node (remote, or not spawned yet): kept on 1's side
  s.link(1, 1);          // to oneself: nothing
  s.link(88, 99);        // neither known: an anomaly
  s.link(1, 55, LinkOp::Unlink).link(1, 77, LinkOp::Demonitor);  // nothing to undo
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(ends(m, n, 1), (Ends{"77:link"}));
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::UnknownActor)], 1u);
  proto::Link bad;  // an op past the enum, as a hostile peer could send it
  bad.a = 1;
  bad.b = 77;
  bad.op = static_cast<LinkOp>(9);
  m.apply(n, bad);
  EXPECT_EQ(ends(m, n, 1), (Ends{"77:link"}));
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::BadEnum)], 1u);
}

TEST(ModelLinks, ResyncKeepsSurvivorsLinksAndANewIncarnationClearsThem) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "w").spawn(2, 0, "w").spawn(3, 0, "w").link(1, 2).link(1, 3);
  s.apply(m, n);
  m.on_disconnect(n, 1);
  // Same incarnation: 3 is no longer described; 1 and 2 survive with their link.
  m.on_hello(2, testing::hello("a"));
  s.reset_strings();
  s.add(proto::SnapshotBegin{2, 2}).spawn(1, 0, "w").spawn(2, 0, "w").add(proto::SnapshotEnd{2});
  s.apply(m, n);
  EXPECT_EQ(ends(m, n, 1), (Ends{"2:link"}));
  EXPECT_EQ(ends(m, n, 2), (Ends{"1:link"}));
  EXPECT_TRUE(m.links(n, 3).empty());
  // A new process: ids start over, nothing of the old links may remain.
  m.on_hello(3, testing::hello("a", 2));
  s.reset_strings();
  s.add(proto::SnapshotBegin{1, 2}).spawn(1, 0, "w").spawn(2, 0, "w").add(proto::SnapshotEnd{1});
  s.apply(m, n);
  EXPECT_TRUE(m.links(n, 1).empty());
  EXPECT_TRUE(m.links(n, 2).empty());
  EXPECT_FALSE(m.actor(n, 1)->flags & kActorLinked);
  EXPECT_EQ(m.stats().links, 0u);
}

TEST(ModelLinks, LinksLiveOutsideTheActorTable) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  for (uint64_t id = 1; id <= 1000; ++id) s.spawn(id, 0, "w");
  s.apply(m, n);
  ModelStats before = m.stats();
  for (uint64_t id = 2; id <= 65; ++id) s.link(1, id);
  s.apply(m, n);
  ModelStats after = m.stats();
  EXPECT_EQ(after.links, 128u);
  EXPECT_EQ(after.actor_table_bytes, before.actor_table_bytes) << "rows do not grow for links";
  EXPECT_GT(after.memory_bytes, before.memory_bytes) << "the link sets are in the memory estimate";
}

}  // namespace
}  // namespace actorscope::collector
