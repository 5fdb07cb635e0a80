// Restart cascades: a one_for_all restart is one row that opens to its events, and a storm
// of restarts on one node leaves another node's crash in the list. Events are built here the
// way the collector sends them; expected counts are the ones this test makes.
#include <gtest/gtest.h>

#include "actorscope/view/events.hpp"

using namespace actorscope;
namespace pv = proto::viewer;

namespace {

struct Feed {
  view::Replica& r;
  std::vector<uint8_t> buf;
  proto::Writer w{buf};
  uint64_t seq = 0;
  explicit Feed(view::Replica& replica) : r(replica) {
    pv::encode(w, pv::SnapshotBegin{1, 2, 1});
    for (pv::NodeId id : {1u, 2u}) {
      pv::NodeRow n;
      n.node = id;
      n.name = id == 1 ? "orders" : "billing";
      n.connected = true;
      pv::encode(w, n);
    }
    pv::ActorRow sup;
    sup.node = 1;
    sup.actor = 13;
    sup.name = "sup-2.13";
    sup.kind = proto::ActorKind::Supervisor;
    pv::encode(w, sup);
    pv::encode(w, pv::SnapshotEnd{1});
    flush();
  }
  void event(pv::NodeId node, pv::EventKind kind, uint64_t actor, uint64_t supervisor, proto::ExitReason reason,
             const std::string& name, const std::string& text = "") {
    pv::Event e;
    e.seq = ++seq;
    e.node = node;
    e.kind = kind;
    e.actor = actor;
    e.supervisor = supervisor;
    e.reason = reason;
    e.name = name;
    e.text = text;
    pv::encode(w, e);
  }
  void flush() {
    pv::encode(w, pv::Tick{seq + 1, 0, 0});
    ASSERT_TRUE(r.apply(buf.data(), buf.size())) << r.error();
    buf.clear();
  }
};

// worker-922 crashes; sup-2.13 (one_for_all) stops its 187 siblings and restarts all 188.
void one_for_all(Feed& f) {
  constexpr uint64_t kCrashed = 922;
  f.event(1, pv::EventKind::Crashed, kCrashed, 13, proto::ExitReason::Error, "worker-922", "simulated fault");
  for (uint64_t s = 0; s < 187; ++s)
    f.event(1, pv::EventKind::Exited, 1000 + s, 13, proto::ExitReason::Shutdown, "worker-" + std::to_string(1000 + s));
  f.event(1, pv::EventKind::Restarted, kCrashed, 13, proto::ExitReason::Error, "worker-922", "simulated fault");
  for (uint64_t s = 0; s < 187; ++s)
    f.event(1, pv::EventKind::Restarted, 1000 + s, 13, proto::ExitReason::Shutdown, "worker-" + std::to_string(1000 + s));
}

}  // namespace

TEST(Cascade, AOneForAllRestartIsOneRowThatOpensToItsEvents) {
  view::Replica r;
  Feed f(r);
  f.event(1, pv::EventKind::Restarted, 5, 13, proto::ExitReason::Error, "lone", "x");  // one restart: a plain row
  one_for_all(f);
  f.flush();
  view::EventsList list;
  list.update(r, view::EventsQuery{view::kInterestingEvents, {}, 0, {}});
  // newest first: the cascade, the crash that set it off, the lone restart
  ASSERT_EQ(list.size(), 3u);
  const view::Cascade* c = list.cascade(0);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->restarts, 188u);
  EXPECT_EQ(c->events, 187u + 188u);
  ASSERT_NE(c->cause, nullptr);
  EXPECT_EQ(c->cause->actor, 922u);
  EXPECT_EQ(view::cascade_text(*c, r),
            "sup-2.13 restarted 188 children after worker-922 crashed: error: simulated fault (375 events)");
  EXPECT_EQ(list.rows()[1]->kind, pv::EventKind::Crashed);
  EXPECT_EQ(list.rows()[1]->actor, 922u);
  EXPECT_EQ(list.cascade(2), nullptr) << "a single restart is not a cascade";
  EXPECT_EQ(list.events().size(), 1u + 1 + 187 + 188) << "exports see every event";

  ASSERT_TRUE(list.toggle(0));
  list.update(r, view::EventsQuery{view::kInterestingEvents, {}, 0, {}});
  ASSERT_EQ(list.size(), 1u + 375 + 2);
  EXPECT_TRUE(list.cascade(0)->expanded);
  EXPECT_TRUE(list.nested(1));
  EXPECT_TRUE(list.nested(375));
  EXPECT_FALSE(list.nested(376));
  EXPECT_FALSE(list.toggle(376)) << "a plain row toggles nothing";
  ASSERT_TRUE(list.toggle(0));
  list.update(r, view::EventsQuery{view::kInterestingEvents, {}, 0, {}});
  EXPECT_EQ(list.size(), 3u);
}

TEST(Cascade, AStormOnOneNodeLeavesAnotherNodesCrashInTheList) {
  view::Replica r;
  Feed f(r);
  f.event(2, pv::EventKind::Crashed, 77, 0, proto::ExitReason::Error, "invoicer", "timeout");
  f.flush();
  for (int round = 0; round < 100; ++round) {  // 100 000 restarts of siblings on node 1
    for (uint64_t s = 0; s < 1000; ++s)
      f.event(1, pv::EventKind::Restarted, 2000 + s, 13, proto::ExitReason::Shutdown, "w");
    f.flush();
  }
  view::EventsList list;
  list.update(r, view::EventsQuery{view::kInterestingEvents, {}, 0, {}});
  bool seen = false;
  for (const pv::Event* e : list.rows()) seen = seen || (e->node == 2 && e->actor == 77 && e->kind == pv::EventKind::Crashed);
  EXPECT_TRUE(seen) << "billing's crash was pushed out by orders' storm";
  EXPECT_LE(list.size(), 8u) << "the storm folds into cascade rows";
}

TEST(Cascade, ACrashStormOnOneNodeLeavesAnotherNodesLastCrashes) {
  view::ReplicaSettings settings;
  settings.max_incident_events = 1000;
  settings.incidents_kept_per_node = 10;
  view::Replica r(settings);
  Feed f(r);
  for (uint64_t a = 1; a <= 3; ++a)
    f.event(2, pv::EventKind::Crashed, 70 + a, 0, proto::ExitReason::Error, "invoicer", "timeout");
  f.flush();
  for (int round = 0; round < 30; ++round) {  // 30 000 crashes on node 1
    for (uint64_t s = 0; s < 1000; ++s)
      f.event(1, pv::EventKind::Crashed, 5000 + s, 13, proto::ExitReason::Error, "w", "boom");
    f.flush();
  }
  size_t billing = 0, orders = 0;
  for (const pv::Event& e : r.events()) {
    if (e.kind != pv::EventKind::Crashed) continue;
    (e.node == 2 ? billing : orders)++;
  }
  EXPECT_EQ(billing, 3u) << "billing's crashes were pushed out by orders' storm";
  // orders keeps the newest 1000 and, past them, its own newest 10; the rest is counted.
  EXPECT_EQ(orders, 1010u);
  EXPECT_EQ(r.events_dropped(), 30'000u - 1010);
}

// A crashed worker that was the root of a subtree takes its descendants down with it: each
// stops under its own parent, and the run of stops is one row too.
TEST(Cascade, ASubtreeStoppedWithItsRootIsOneRow) {
  view::Replica r;
  Feed f(r);
  f.event(1, pv::EventKind::Crashed, 446, 13, proto::ExitReason::Error, "worker-446", "boom");
  for (uint64_t s = 0; s < 20; ++s)
    f.event(1, pv::EventKind::Exited, 3000 + s, 500 + s / 4, proto::ExitReason::Shutdown, "w");
  f.event(1, pv::EventKind::Exited, 9, 13, proto::ExitReason::Normal, "done");  // a plain exit after
  f.flush();
  view::EventsList list;
  list.update(r, view::EventsQuery{view::kInterestingEvents, {}, 0, {}});
  ASSERT_EQ(list.size(), 3u);  // the plain exit, the stops, the crash
  EXPECT_EQ(list.cascade(0), nullptr);
  const view::Cascade* c = list.cascade(1);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->supervisor, 0u);
  EXPECT_EQ(c->events, 20u);
  EXPECT_EQ(view::cascade_text(*c, r), "20 actors stopped (shutdown) after worker-446 crashed: error: boom");
  // Fewer stops than kStopRunMin stay plain rows.
  view::Replica r2;
  Feed f2(r2);
  for (uint64_t s = 0; s < view::kStopRunMin - 1; ++s)
    f2.event(1, pv::EventKind::Exited, 3000 + s, 500 + s, proto::ExitReason::Shutdown, "w");
  f2.flush();
  view::EventsList l2;
  l2.update(r2, view::EventsQuery{view::kInterestingEvents, {}, 0, {}});
  EXPECT_EQ(l2.size(), view::kStopRunMin - 1);
}
