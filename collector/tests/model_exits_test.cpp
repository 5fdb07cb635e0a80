// Unit tests of exits the model never saw a record for: counted under reason "unknown".
#include <gtest/gtest.h>

#include "actorscope/collector/exporter.hpp"
#include "actorscope/collector/model.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using proto::ExitReason;
using testing::Stream;

uint64_t exits(const Model& m, NodeKey n, std::string_view type, ExitReason r) {
  for (const TypeAggregate& t : m.types(n))
    if (m.text(t.type) == type) return t.exits_by_reason[static_cast<size_t>(r)];
  return 0;
}

TEST(ModelExits, AReconnectSnapshotCountsActorsItNoLongerDescribes) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "w").spawn(2, 0, "w").spawn(3, 0, "w").exit(3, ExitReason::Normal);
  s.apply(m, n);
  m.on_disconnect(n, 1);
  m.on_hello(2, testing::hello("a"));
  s.reset_strings();
  s.add(proto::SnapshotBegin{1, 1}).spawn(1, 0, "w").add(proto::SnapshotEnd{1});
  s.apply(m, n);
  EXPECT_EQ(exits(m, n, "w", ExitReason::Unknown), 1u) << "2 exited while we were disconnected";
  EXPECT_EQ(exits(m, n, "w", ExitReason::Normal), 1u);
  EXPECT_EQ(m.node(n)->unseen_exits, 1u);
  EXPECT_EQ(m.node(n)->crashes, 0u) << "we cannot tell it crashed";
  std::string text = to_text(render_model(m, ExporterSettings{}));
  EXPECT_NE(text.find("actorscope_actor_exits_total{node=\"a\",actor_type=\"w\",reason=\"unknown\"} 1\n"),
            std::string::npos)
      << text;
}

TEST(ModelExits, ANewIncarnationCountsEveryActorOfTheOldProcess) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "sup", "", proto::ActorKind::Supervisor).spawn(2, 1, "w").spawn(3, 1, "w");
  s.apply(m, n);
  m.on_disconnect(n, 1);
  m.on_hello(2, testing::hello("a", 2));
  EXPECT_EQ(exits(m, n, "w", ExitReason::Unknown), 2u);
  EXPECT_EQ(exits(m, n, "sup", ExitReason::Unknown), 1u);
  EXPECT_EQ(m.node(n)->unseen_exits, 3u);
  auto ev = m.events_since(0, 100);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back()->kind, EventKind::NodeRestarted);
  EXPECT_NE(ev.back()->detail.find("3 actors of the previous process"), std::string::npos) << ev.back()->detail;
  // The new process's snapshot describes new actors: nothing more is counted.
  s.reset_strings();
  s.add(proto::SnapshotBegin{1, 1}).spawn(1, 0, "w").add(proto::SnapshotEnd{1});
  s.apply(m, n);
  EXPECT_EQ(m.node(n)->unseen_exits, 3u);
  for (const TypeAggregate& t : m.types(n))
    EXPECT_GE(t.exits.value(), t.exits_by_reason[static_cast<size_t>(ExitReason::Unknown)]);
}

TEST(ModelExits, AReconnectThatDescribesEveryoneCountsNothing) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "w").spawn(2, 0, "w");
  s.apply(m, n);
  m.on_hello(2, testing::hello("a"));
  s.reset_strings();
  s.add(proto::SnapshotBegin{1, 2}).spawn(1, 0, "w").spawn(2, 0, "w").add(proto::SnapshotEnd{1});
  s.apply(m, n);
  EXPECT_EQ(m.node(n)->unseen_exits, 0u);
  EXPECT_EQ(exits(m, n, "w", ExitReason::Unknown), 0u);
}

}  // namespace
}  // namespace actorscope::collector
