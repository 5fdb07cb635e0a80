// Unit tests of the collector's model: lifecycle, resync, tree, supervisors, aggregates,
// warnings, strings, change journal and memory.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "actorscope/collector/model.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using testing::Stream;
using proto::ActorKind;
using proto::ExitReason;
constexpr uint64_t kSec = 1'000'000'000;

std::vector<uint64_t> children(const Model& m, NodeKey n, uint64_t parent) {
  std::vector<uint64_t> ids;
  m.for_each_child(n, parent, [&](const Actor& a) { ids.push_back(a.id); });
  return ids;
}

const TypeAggregate* type_named(const Model& m, NodeKey n, std::string_view type) {
  for (const TypeAggregate& t : m.types(n))
    if (m.text(t.type) == type) return &t;
  return nullptr;
}

TEST(Model, SpawnStatsExitUpdateActorsAndAggregates) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("orders@h"));
  Stream s;
  s.spawn(1, 0, "root_sup", "root", ActorKind::Supervisor, "", 3, 5000);
  s.spawn(2, 1, "parser", "p1").spawn(3, 1, "parser", "p2");
  s.stats(2, 5, 10, 5).stats(3, 1, 4, 3);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.node(n)->live_actors, 3u);
  ASSERT_NE(m.actor(n, 2), nullptr);
  EXPECT_EQ(m.text(m.actor(n, 2)->name), "p1");
  EXPECT_EQ(children(m, n, 1), (std::vector<uint64_t>{2, 3}));
  const TypeAggregate* parser = type_named(m, n, "parser");
  ASSERT_NE(parser, nullptr);
  EXPECT_EQ(parser->live[0], 2u);
  EXPECT_EQ(parser->mailbox_sum, 6u);
  EXPECT_EQ(parser->mailbox_max, 5u);
  EXPECT_EQ(parser->dequeued(), 8u);

  s.exit(2, ExitReason::Error, "boom");
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.actor(n, 2), nullptr);
  EXPECT_EQ(children(m, n, 1), (std::vector<uint64_t>{3}));
  EXPECT_EQ(parser->live[0], 1u);
  EXPECT_EQ(parser->dequeued(), 8u) << "processed messages survive the exit";
  EXPECT_EQ(parser->exits_by_reason[static_cast<size_t>(ExitReason::Error)], 1u);
  auto ev = m.events_since(0, 100);
  ASSERT_FALSE(ev.empty());
  EXPECT_EQ(ev.back()->kind, EventKind::Crash);
  EXPECT_EQ(m.text(ev.back()->text), "boom");
  EXPECT_EQ(m.node(n)->crashes, 1u);
}

TEST(Model, CountersNeverGoBackwardsAcrossExitsAndTypeTotals) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  std::array<uint64_t, proto::kHistogramBuckets> h{};
  h[2] = 7;
  s.spawn(10, 0, "worker").stats(10, 0, 7, 7, 700, h);
  s.apply(m, n);
  const TypeAggregate* w = type_named(m, n, "worker");
  ASSERT_NE(w, nullptr);
  uint64_t before = w->dequeued();
  s.exit(10, ExitReason::Normal);
  s.apply(m, n);
  EXPECT_GE(w->dequeued(), before);
  EXPECT_EQ(w->hist(2), 7u);
  // The agent's totals lag behind (smaller): nothing moves back.
  proto::TypeTotals tt;
  tt.type = s.str("worker");
  tt.dequeued = 3;
  s.add(tt).apply(m, n);
  EXPECT_EQ(w->dequeued(), 7u);
  // The agent knew of more (final stats never sampled): the counter moves up.
  tt.dequeued = 9;
  tt.spawned = 1;
  s.add(tt).apply(m, n);
  EXPECT_EQ(w->dequeued(), 9u);
  EXPECT_EQ(w->spawns.value(), 1u);
  // A restarted app (new incarnation) starts its counts from zero; ours carry on.
  NodeKey n2 = m.on_hello(2, testing::hello("a", 2));
  EXPECT_EQ(n2, n);
  s.reset_strings();
  tt.type = s.str("worker");
  tt.dequeued = 1;
  s.add(tt).apply(m, n);
  EXPECT_EQ(type_named(m, n, "worker")->dequeued(), 10u);
}

TEST(Model, SnapshotAfterReconnectReplacesActors) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "sup", "", ActorKind::Supervisor).spawn(2, 1, "w").spawn(3, 1, "w").stats(2, 0, 5, 5);
  s.apply(m, n);
  m.on_disconnect(n, 1);
  EXPECT_EQ(m.node(n)->state, NodeState::Gone);
  // Same incarnation: a reconnect. The snapshot no longer has actor 3.
  EXPECT_EQ(m.on_hello(2, testing::hello("a")), n);
  EXPECT_EQ(m.node(n)->reconnects, 1u);
  s.reset_strings();
  s.add(proto::SnapshotBegin{7, 2});
  s.spawn(1, 0, "sup", "", ActorKind::Supervisor).spawn(2, 1, "w").stats(2, 0, 6, 6);
  s.add(proto::SnapshotEnd{7});
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.node(n)->live_actors, 2u);
  EXPECT_EQ(m.actor(n, 3), nullptr);
  EXPECT_EQ(m.actor(n, 2)->dequeued, 6u);
  EXPECT_EQ(type_named(m, n, "w")->dequeued(), 6u);
  EXPECT_FALSE(m.node(n)->snapshot_in_progress);

  // New incarnation: everything goes, then the new snapshot arrives.
  m.on_hello(3, testing::hello("a", 99));
  EXPECT_EQ(m.node(n)->live_actors, 0u);
  EXPECT_EQ(m.node(n)->app_restarts, 1u);
  s.reset_strings();
  s.add(proto::SnapshotBegin{1, 1}).spawn(5, 0, "w").add(proto::SnapshotEnd{1});
  s.apply(m, n);
  EXPECT_EQ(m.node(n)->live_actors, 1u);
  EXPECT_EQ(children(m, n, 0), (std::vector<uint64_t>{5}));
}

// A snapshot's end removes the live actors it did not describe. A table that once held many
// actors keeps their rows for reuse; the end now looks at the node's live actors (through its
// tree), not at every row it ever had: 20 000 snapshots over a table of 200 000 rows with a
// hundred actors left were 4 billion row checks.
TEST(Model, ASnapshotsEndCostsWhatTheNodeHoldsNotWhatItOnceHeld) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  constexpr uint64_t kOnce = 200'000, kKept = 100;
  s.spawn(1, 0, "sup", "", ActorKind::Supervisor);
  for (uint64_t id = 10; id < 10 + kOnce; ++id) s.spawn(id, 1, "w");
  for (uint64_t id = 10 + kKept; id < 10 + kOnce; ++id) s.exit(id, ExitReason::Normal);
  ASSERT_TRUE(s.apply(m, n).ok);
  ASSERT_EQ(m.node(n)->live_actors, kKept + 1);
  // A snapshot that describes the supervisor and every other kept worker: the rest went.
  s.add(proto::SnapshotBegin{1, kKept / 2 + 1}).spawn(1, 0, "sup", "", ActorKind::Supervisor);
  std::vector<uint64_t> kept;
  for (uint64_t id = 10; id < 10 + kKept; id += 2) {
    s.spawn(id, 1, "w");
    kept.push_back(id);
  }
  s.add(proto::SnapshotEnd{1});
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.node(n)->live_actors, kept.size() + 1);
  EXPECT_EQ(children(m, n, 1), kept);
  EXPECT_EQ(m.actor(n, 11), nullptr);
  // 20 000 snapshots that describe everything left: nothing more goes.
  for (uint64_t snap = 2; snap < 20'002; ++snap) {
    s.add(proto::SnapshotBegin{snap, kept.size() + 1}).spawn(1, 0, "sup", "", ActorKind::Supervisor);
    for (uint64_t id : kept) s.stats(id, 0, 1, 1);
    s.add(proto::SnapshotEnd{snap});
    if (snap % 1000 == 0) {
      ASSERT_TRUE(s.apply(m, n).ok);
    }
  }
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.node(n)->live_actors, kept.size() + 1);
  EXPECT_EQ(children(m, n, 1), kept);
  // One that describes only the supervisor: its workers go, it stays.
  s.add(proto::SnapshotBegin{30'000, 1}).spawn(1, 0, "sup", "", ActorKind::Supervisor).add(proto::SnapshotEnd{30'000});
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.node(n)->live_actors, 1u);
  EXPECT_TRUE(children(m, n, 1).empty());
  EXPECT_EQ(children(m, n, 0), (std::vector<uint64_t>{1}));
}

// When a supervisor goes, its next incarnation is looked for among its siblings (at most
// 4096 of them). A peer that turned one supervisor among 5000 siblings into a worker and back
// made every second record such a look-up; now the rows looked at are paid from the node's
// credit (256 earned per spawn or exit), and look-ups it cuts short are counted. A supervisor
// with few siblings still hands its counts on.
TEST(Model, SuccessorLookUpsAmongManySiblingsCostAtMostTheNodesScanCredit) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "top", "top", ActorKind::Supervisor, "", 10, 5000);
  for (uint64_t id = 100; id < 5100; ++id) s.spawn(id, 1, "w");
  constexpr uint64_t kFlips = 10'000;
  for (uint64_t i = 0; i < 2 * kFlips; ++i)
    s.spawn(10, 1, "pool", "", i % 2 ? ActorKind::Worker : ActorKind::Supervisor, "pool", 3, 5000);
  ASSERT_TRUE(s.apply(m, n).ok);
  const auto cut = [&] { return m.stats().anomalies[static_cast<size_t>(Anomaly::SuccessorScanCut)]; };
  // A flip earns 512 rows (two records) and a full look-up visits 4096 (5001 siblings): once the
  // held 16 384 are spent, every look-up is cut.
  EXPECT_GT(cut(), kFlips - 10);
  EXPECT_LE(cut(), kFlips);
  // Under a small parent, a supervisor reported after its next incarnation hands its counts on.
  const uint64_t before = cut();
  s.spawn(2, 0, "top2", "top2", ActorKind::Supervisor, "", 10, 5000);
  s.spawn(20, 2, "pool", "", ActorKind::Supervisor, "pool", 3, 5000).spawn(200, 20, "w", "", ActorKind::Worker, "w1");
  s.restart(20, "w1", 200, 201).spawn(201, 20, "w", "", ActorKind::Worker, "w1");
  s.spawn(21, 2, "pool", "", ActorKind::Supervisor, "pool", 3, 5000);
  s.exit(20, ExitReason::Error, "boom");
  ASSERT_TRUE(s.apply(m, n).ok);
  ASSERT_NE(m.supervisor(n, 21), nullptr);
  EXPECT_EQ(m.supervisor(n, 21)->total_restarts(), 1u);
  EXPECT_EQ(cut(), before);
}

TEST(Model, OrphansAttachWhenTheirParentArrives) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(2, 1, "w").spawn(3, 1, "w");
  s.apply(m, n);
  EXPECT_EQ(children(m, n, 0), (std::vector<uint64_t>{2, 3})) << "orphans are listed as roots meanwhile";
  EXPECT_TRUE(m.actor(n, 2)->flags & kActorOrphan);
  s.spawn(1, 0, "sup", "", ActorKind::Supervisor);
  s.apply(m, n);
  EXPECT_EQ(children(m, n, 0), (std::vector<uint64_t>{1}));
  EXPECT_EQ(children(m, n, 1), (std::vector<uint64_t>{2, 3}));
  EXPECT_FALSE(m.actor(n, 2)->flags & kActorOrphan);
  // Removing a middle child keeps the list intact.
  s.spawn(4, 1, "w").exit(3, ExitReason::Normal);
  s.apply(m, n);
  EXPECT_EQ(children(m, n, 1), (std::vector<uint64_t>{2, 4}));
}

TEST(Model, ParentCyclesAreRefusedSoTreeWalksEnd) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 2, "w").spawn(2, 1, "w");
  s.apply(m, n);
  EXPECT_EQ(children(m, n, 0), (std::vector<uint64_t>{1}));
  EXPECT_EQ(children(m, n, 1), (std::vector<uint64_t>{2}));
  EXPECT_TRUE(children(m, n, 2).empty());
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::ParentCycle)], 1u);
}

// A new actor has no children yet, so linking it cannot close a cycle: it is linked at any
// depth (the walk up the chain that finds cycles gives up past 100 000 levels, and refused
// every spawn below that depth as a possible cycle), and spawning costs the same at any depth.
// Actors 1..depth, each the parent of the next: a chain deeper than any tree.
void spawn_chain(Stream& s, uint64_t depth) {
  s.spawn(1, 0, "w");
  for (uint64_t id = 2; id <= depth; ++id) s.spawn(id, id - 1, "w");
}

TEST(Model, AChainDeeperThanTheCycleWalkLinksEveryActorUnderItsParent) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  constexpr uint64_t kDepth = 100'010;
  Stream s;
  spawn_chain(s, kDepth);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::ParentCycle)], 0u);
  EXPECT_EQ(m.node(n)->live_actors, kDepth);
  EXPECT_EQ(children(m, n, 0), (std::vector<uint64_t>{1}));
  EXPECT_EQ(children(m, n, kDepth - 1), (std::vector<uint64_t>{kDepth}));
  EXPECT_FALSE(m.actor(n, kDepth)->flags & kActorOrphan);
  // A cycle through an orphan is still refused at that depth.
  s.spawn(kDepth + 2, kDepth + 1, "w").spawn(kDepth + 1, kDepth + 2, "w");
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::ParentCycle)], 1u);
  // Children waiting for a parent that arrives 50 000 levels down all attach, in their
  // arrival order (one walk up the chain for all of them; past the walk's 100 000 levels
  // they would stay roots, as a cycle it cannot rule out).
  const uint64_t parent = kDepth + 100, first_kid = kDepth + 1000;
  std::vector<uint64_t> kids;
  for (uint64_t k = 0; k < 1000; ++k) {
    s.spawn(first_kid + k, parent, "w");
    kids.push_back(first_kid + k);
  }
  s.spawn(parent, 50'000, "w");
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(children(m, n, parent), kids);
  EXPECT_EQ(children(m, n, 50'000), (std::vector<uint64_t>{50'001, parent}));
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::ParentCycle)], 1u);
}

// Moving an actor under another parent walks up that parent's chain to rule out a cycle. A
// peer that moves an actor back and forth under the bottom of a chain 100 000 deep made each
// of its records cost 100 000 look-ups (20 000 records: two billion); now each spawn earns
// the node parent_walk_steps_per_spawn levels, and a link whose check needs more than the node
// holds is refused as too deep to check, counted apart from cycles.
TEST(Model, MovingAnActorUnderADeepChainCostsAtMostTheNodesWalkCredit) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  constexpr uint64_t kDepth = 100'010;
  Stream s;
  spawn_chain(s, kDepth);
  const uint64_t mover = kDepth + 1;
  s.spawn(mover, 0, "w");
  ASSERT_TRUE(s.apply(m, n).ok);
  constexpr uint64_t kMoves = 20'000;
  for (uint64_t i = 0; i < kMoves; ++i) s.spawn(mover, i % 2 ? kDepth : kDepth - 1, "w");
  ASSERT_TRUE(s.apply(m, n).ok);
  const auto anomalies = [&](Anomaly a) { return m.stats().anomalies[static_cast<size_t>(a)]; };
  EXPECT_EQ(anomalies(Anomaly::ParentChainTooDeep), kMoves);
  EXPECT_EQ(anomalies(Anomaly::ParentCycle), 0u);
  EXPECT_TRUE(m.actor(n, mover)->flags & kActorOrphan);
  EXPECT_EQ(children(m, n, 0), (std::vector<uint64_t>{1, mover})) << "refused, it stays listed as a root";
  EXPECT_TRUE(children(m, n, kDepth).empty());
  // Near the top of the same chain the moves are checked and made, and a real cycle is
  // still told apart from a chain too deep to check.
  s.spawn(mover, 3, "w");
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(children(m, n, 3), (std::vector<uint64_t>{4, mover}));
  EXPECT_FALSE(m.actor(n, mover)->flags & kActorOrphan);
  s.spawn(2, 5, "w");
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(anomalies(Anomaly::ParentCycle), 1u);
  EXPECT_EQ(anomalies(Anomaly::ParentChainTooDeep), kMoves);
}

// A good peer's tree, even one far deeper than supervision trees get, never runs short: every
// move of an actor at depth 250 is checked and made, and so are children waiting for a parent.
TEST(Model, AGoodPeerNeverRunsOutOfWalkCredit) {
  ModelSettings settings;
  settings.parent_walk_credit = 300;  // little held over: each spawn pays for its own check
  Model m(settings);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  constexpr uint64_t kDepth = 250;
  Stream s;
  s.spawn(1, 0, "w");
  for (uint64_t id = 2; id <= kDepth; ++id) s.spawn(id, id - 1, "w");
  const uint64_t mover = 1000;
  s.spawn(mover, kDepth, "w");
  for (uint64_t i = 0; i < 5'000; ++i) s.spawn(mover, kDepth - i % 2, "w");
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(children(m, n, kDepth - 1), (std::vector<uint64_t>{kDepth, mover}));
  // Children that wait for a parent spawned at the bottom attach under it.
  for (uint64_t k = 0; k < 100; ++k) s.spawn(2000 + k, 1999, "w");
  s.spawn(1999, kDepth, "w");
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(children(m, n, 1999).size(), 100u);
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::ParentChainTooDeep)], 0u);
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::ParentCycle)], 0u);
  // With the credit spent by a chain deeper than it holds, waiting children stay roots and
  // are counted, not attached unchecked.
  for (uint64_t id = 3001; id <= 3400; ++id) s.spawn(id, id == 3001 ? 0 : id - 1, "w");
  s.spawn(4001, 4000, "w").spawn(4000, 3400, "w");
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_TRUE(children(m, n, 4000).empty());
  EXPECT_TRUE(m.actor(n, 4001)->flags & kActorOrphan);
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::ParentChainTooDeep)], 1u);
}

// Children waiting for a parent leave that wait in any order at the cost of one look-up each:
// a peer that made 100 000 children wait for a parent that never comes and then ended them
// oldest first cost 5 billion comparisons when each exit searched the list of the waiting.
// What is left waits as before, and attaches in its arrival order when the parent comes.
TEST(Model, ChildrenWaitingForAParentLeaveTheWaitAtConstantCost) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  constexpr uint64_t kWaiting = 100'000, kParent = 1;
  Stream s;
  for (uint64_t k = 0; k < kWaiting; ++k) s.spawn(10 + k, kParent, "w");
  ASSERT_TRUE(s.apply(m, n).ok);
  // All but every thousandth end, oldest first; of those, every other one is moved under
  // another parent that does not come either, then ends there.
  std::vector<uint64_t> left;
  for (uint64_t k = 0; k < kWaiting; ++k) {
    const uint64_t id = 10 + k;
    if (k % 1000 == 999) {
      left.push_back(id);
      continue;
    }
    if (k % 2) s.spawn(id, 2, "w");
    s.exit(id, ExitReason::Normal);
  }
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.node(n)->live_actors, left.size());
  // A new actor in a freed row, waiting for the same parent, attaches once, after the others.
  s.spawn(5, kParent, "w");
  left.push_back(5);
  s.spawn(kParent, 0, "sup", "", ActorKind::Supervisor);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(children(m, n, kParent), left);
  EXPECT_EQ(children(m, n, 0), (std::vector<uint64_t>{kParent}));
  for (uint64_t id : left) EXPECT_FALSE(m.actor(n, id)->flags & kActorOrphan) << id;
}

TEST(Model, SiblingsRestartedWithTheFailedChildDoNotSpendTheBudget) {
  // one_for_all: child_a crashes, child_b and child_c are stopped (shutdown) and restarted
  // with it. OTP counts that as one restart toward the intensity.
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "sup", "pool", ActorKind::Supervisor, "", 3, 5000);
  s.apply(m, n);
  m.set_now(10 * kSec);
  s.restart(1, "child_a", 2, 5)
      .restart(1, "child_b", 3, 6, proto::ExitReason::Shutdown)
      .restart(1, "child_c", 4, 7, proto::ExitReason::Shutdown);
  s.apply(m, n);
  EXPECT_DOUBLE_EQ(m.restart_budget_used(n, 1), 1.0 / 3.0);
  const Supervisor* sup = m.supervisor(n, 1);
  ASSERT_NE(sup, nullptr);
  EXPECT_EQ(sup->per_child.size(), 3u);  // every child's own count still moves
}

TEST(Model, RestartBudgetUsedFollowsIntensityAndPeriod) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "sup", "top", ActorKind::Supervisor, "", 4, 5000).spawn(2, 1, "w", "", ActorKind::Worker, "child_a");
  s.apply(m, n);
  m.set_now(10 * kSec);
  s.restart(1, "child_a", 2, 3).spawn(3, 1, "w", "", ActorKind::Worker, "child_a");
  s.apply(m, n);
  m.set_now(11 * kSec);
  s.restart(1, "child_a", 3, 4).restart(1, "child_a", 4, 5);
  s.apply(m, n);
  EXPECT_DOUBLE_EQ(m.restart_budget_used(n, 1), 0.75);
  const Supervisor* sup = m.supervisor(n, 1);
  ASSERT_NE(sup, nullptr);
  EXPECT_EQ(sup->restarts, 3u);
  ASSERT_EQ(sup->per_child.size(), 1u);
  EXPECT_EQ(m.text(sup->per_child[0].child_id), "child_a");
  EXPECT_EQ(sup->per_child[0].restarts, 3u);
  m.set_now(15 * kSec + 1);  // the first restart left the 5 s window
  EXPECT_DOUBLE_EQ(m.restart_budget_used(n, 1), 0.5);
  auto by_label = m.restarts_by_supervisor(n);
  ASSERT_EQ(by_label.size(), 1u);
  EXPECT_EQ(m.text(by_label[0].first), "top");
  EXPECT_EQ(by_label[0].second, 3u);
  // The agent's cumulative count (lossless) wins when restart records were dropped.
  s.stats(1, 0, 0, 0, 0, {}, 5);
  s.apply(m, n);
  EXPECT_EQ(m.restarts_by_supervisor(n)[0].second, 5u);
}

TEST(Model, WarningsFireAndClear) {
  ModelSettings st;
  st.mailbox_growth_samples = 3;
  st.mailbox_growth_min = 10;
  st.stuck_after_ns = 5 * kSec;
  Model m(st);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "sup", "top", ActorKind::Supervisor, "", 2, 10000).spawn(2, 1, "w").spawn(3, 1, "w");
  s.apply(m, n);
  auto has = [&](WarningKind k, uint64_t actor) {
    for (const Warning& l : m.warnings())
      if (l.kind == k && l.actor == actor) return true;
    return false;
  };
  uint64_t t = 1 * kSec;
  m.tick(t);
  // Actor 2: mailbox grows 0 -> 5 -> 20 -> 50 while dequeues continue.
  uint64_t depth[] = {5, 20, 50};
  for (int i = 0; i < 3; ++i) {
    t += kSec;
    m.set_now(t);
    s.stats(2, depth[i], depth[i] + i + 1, i + 1);
    s.apply(m, n);
    m.tick(t);
  }
  EXPECT_TRUE(has(WarningKind::MailboxGrowing, 2));
  EXPECT_FALSE(has(WarningKind::StuckActor, 2));
  // Actor 3: one message waiting, nothing processed for longer than 5 s.
  m.set_now(t);
  s.stats(3, 1, 1, 0);
  // Two restarts of 2 allowed: budget used 100%.
  s.restart(1, "c", 9, 10).restart(1, "c", 10, 11);
  // A handler took more than 1 s.
  std::array<uint64_t, proto::kHistogramBuckets> slow{};
  slow[8] = 1;
  s.stats(2, 50, 53, 3, 2 * kSec, slow);
  s.add(proto::Dropped{{0, 0, 4, 0, 0, 0}});
  s.apply(m, n);
  t += 6 * kSec;
  m.tick(t);
  EXPECT_TRUE(has(WarningKind::StuckActor, 3));
  for (const Warning& l : m.warnings()) {  // at t = 10 s: 3 spawned at 0, 2 last progressed at 4 s
    if (l.kind != WarningKind::StuckActor) continue;
    EXPECT_EQ(l.text, l.actor == 3 ? "1 messages waiting, none processed for 10.0 s" : "50 messages waiting, none processed for 6.0 s");
  }
  EXPECT_TRUE(has(WarningKind::RestartStorm, 1));
  EXPECT_TRUE(has(WarningKind::SlowHandler, 2));
  EXPECT_TRUE(has(WarningKind::AgentDrops, 0));
  // Mailboxes drain, the restarts age out of the period, the held warnings expire.
  m.set_now(t);
  s.stats(2, 0, 53, 53).stats(3, 0, 1, 1);
  s.apply(m, n);
  t += 20 * kSec;
  m.tick(t);
  EXPECT_TRUE(m.warnings().empty()) << m.warnings().front().text;
  bool cleared = false;
  for (const Event* e : m.events_since(0, 1000)) cleared |= e->kind == EventKind::WarningCleared;
  EXPECT_TRUE(cleared);
}

// A backlog that stops growing but stays deep stays on screen: mailbox warnings hold until
// the figure falls to half of what raised them; a large mailbox and a long wait are warnings
// of their own; a cleared warning says how long it was raised.
TEST(Model, MailboxWarningsHoldUntilTheBacklogHalves) {
  ModelSettings st;
  st.mailbox_growth_samples = 3;
  st.mailbox_growth_min = 10;
  st.mailbox_large = 1000;
  st.mailbox_wait_ns = 20 * kSec;
  st.stuck_after_ns = 3600 * kSec;
  st.actor_rate_smoothing_ns = 0;  // each sample's own drain rate: exactly 10/s from the first
  Model m(st);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "sup", "top", ActorKind::Supervisor).spawn(2, 1, "consumer");
  s.apply(m, n);
  auto find = [&](WarningKind k) -> const Warning* {
    for (const Warning& l : m.warnings())
      if (l.kind == k && l.actor == 2) return &l;
    return nullptr;
  };
  uint64_t t = 1 * kSec;
  m.tick(t);
  uint64_t dequeued = 0;
  // The consumer processes 10 messages/s while its mailbox is at `depth`.
  auto sample = [&](uint64_t depth) {
    t += kSec;
    m.set_now(t);
    dequeued += 10;
    std::array<uint64_t, proto::kHistogramBuckets> hist{};
    hist[0] = dequeued;
    s.stats(2, depth, depth + dequeued, dequeued, 0, hist);
    s.apply(m, n);
    m.tick(t);
  };
  for (uint64_t depth : {100, 400, 1200, 1600}) sample(depth);
  ASSERT_NE(find(WarningKind::MailboxGrowing), nullptr);
  EXPECT_NE(find(WarningKind::MailboxGrowing)->text.find("to 1600 messages"), std::string::npos)
      << find(WarningKind::MailboxGrowing)->text;
  ASSERT_NE(find(WarningKind::MailboxLarge), nullptr);
  ASSERT_NE(find(WarningKind::MailboxWait), nullptr);  // 1600 messages at 10/s: 160 s
  EXPECT_NE(find(WarningKind::MailboxWait)->text.find("160 s to drain"), std::string::npos)
      << find(WarningKind::MailboxWait)->text;
  // Levelled off, still deep: all three hold.
  for (int i = 0; i < 5; ++i) sample(1600);
  EXPECT_NE(find(WarningKind::MailboxGrowing), nullptr);
  EXPECT_NE(find(WarningKind::MailboxLarge), nullptr);
  EXPECT_NE(find(WarningKind::MailboxWait), nullptr);
  // Below the thresholds but above half of them: still held.
  sample(900);
  EXPECT_NE(find(WarningKind::MailboxGrowing), nullptr);  // 900 >= 1600 / 2
  EXPECT_NE(find(WarningKind::MailboxLarge), nullptr);    // 900 >= 1000 / 2
  EXPECT_NE(find(WarningKind::MailboxWait), nullptr);     // 90 s >= 20 s / 2
  // Half of each: growth clears (< 800), large clears (< 500); the wait (45 s) holds.
  sample(450);
  EXPECT_EQ(find(WarningKind::MailboxGrowing), nullptr);
  EXPECT_EQ(find(WarningKind::MailboxLarge), nullptr);
  EXPECT_NE(find(WarningKind::MailboxWait), nullptr);
  sample(90);  // 9 s to drain: below 20 s / 2
  EXPECT_EQ(find(WarningKind::MailboxWait), nullptr);
  // The history: each cleared event says for how long, and the peak.
  size_t cleared = 0;
  for (const Event* e : m.events_since(0, 1000)) {
    if (e->kind != EventKind::WarningCleared || e->actor != 2) continue;
    ++cleared;
    EXPECT_NE(e->detail.find(" cleared after "), std::string::npos) << e->detail;
    EXPECT_NE(e->detail.find("mailbox peak 1600"), std::string::npos) << e->detail;
  }
  EXPECT_EQ(cleared, 3u);
}

TEST(Model, UnknownStringIdsAreCountedAndAnUndefinedTypeIsNotTheEmptyOne) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  proto::ActorSpawned sp;
  sp.actor = 1;
  sp.type = 77;  // never defined
  m.apply(n, sp);
  ASSERT_NE(m.actor(n, 1), nullptr);
  EXPECT_EQ(m.actor(n, 1)->type, StringPool::kUnknown) << "an undefined type reads \"unknown\", not \"\"";
  EXPECT_EQ(m.text(m.actor(n, 1)->type), "unknown");
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::UnknownString)], 1u);
  m.apply(n, proto::StringDef{0, "zero"});
  m.apply(n, proto::StringDef{m.settings().max_string_id, "far"});
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::BadStringId)], 2u);
  proto::ActorStats st;
  st.actor = 999;
  m.apply(n, st);
  EXPECT_EQ(m.stats().anomalies[static_cast<size_t>(Anomaly::UnknownActor)], 1u);
}

TEST(Model, ChangeJournalAnswersIncrementallyOrTooOld) {
  ModelSettings st;
  st.journal_capacity = 8;
  Model m(st);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  m.commit();
  uint64_t v0 = m.version();
  Stream s;
  s.spawn(1, 0, "w").spawn(2, 0, "w").stats(1, 1, 1, 0).stats(1, 2, 2, 0);
  s.apply(m, n);
  EXPECT_EQ(m.version(), v0 + 1);
  std::vector<Change> ch;
  ASSERT_EQ(m.changes_since(v0, ch), SinceResult::Ok);
  ASSERT_EQ(ch.size(), 2u) << "one entry per actor per batch";
  EXPECT_EQ(ch[0].actor, 1u);
  EXPECT_EQ(ch[1].actor, 2u);
  uint64_t v1 = m.version();
  s.exit(2, ExitReason::Normal);
  s.apply(m, n);
  ch.clear();
  ASSERT_EQ(m.changes_since(v1, ch), SinceResult::Ok);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, ChangeKind::ActorRemoved);
  // Overflow the journal: an old version must resnapshot; the newest still works.
  for (uint64_t id = 10; id < 30; ++id) s.spawn(id, 0, "w");
  s.apply(m, n);
  ch.clear();
  EXPECT_EQ(m.changes_since(v1, ch), SinceResult::TooOld);
  ch.clear();
  EXPECT_EQ(m.changes_since(m.version(), ch), SinceResult::Ok);
  EXPECT_TRUE(ch.empty());
}

TEST(Model, EventQueriesPageAndFilter) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  for (uint64_t id = 1; id <= 10; ++id) s.spawn(id, 0, "w");
  for (uint64_t id = 1; id <= 10; ++id) s.exit(id, id % 2 ? ExitReason::Error : ExitReason::Normal);
  s.apply(m, n);
  EventQuery q;
  q.kinds = 1u << static_cast<unsigned>(EventKind::Crash);
  q.limit = 3;
  auto page = m.events(q);
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page[0]->actor, 1u);
  EXPECT_EQ(page[2]->actor, 5u);
  q.after_seq = page.back()->seq;
  auto next = m.events(q);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0]->actor, 7u);
  EventQuery back;
  back.before_seq = m.last_event_seq() + 1;
  back.actor = 4;
  auto b = m.events(back);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0]->kind, EventKind::Exit);
}

TEST(Model, GoneNodesAreForgottenPastTheirLimit) {
  ModelSettings st;
  st.max_gone_nodes = 1;
  st.gone_node_ttl_ns = 100 * kSec;
  Model m(st);
  NodeKey a = m.on_hello(1, testing::hello("a"));
  NodeKey b = m.on_hello(2, testing::hello("b"));
  m.set_now(1 * kSec);
  m.on_disconnect(a, 1);
  m.set_now(2 * kSec);
  m.on_disconnect(b, 2);
  m.tick(3 * kSec);
  EXPECT_EQ(m.node(a), nullptr);
  ASSERT_NE(m.node(b), nullptr);
  m.tick(200 * kSec);
  EXPECT_EQ(m.node(b), nullptr);
  EXPECT_EQ(m.find_node("b"), 0u);
}

TEST(Model, TimeSeriesRecordsOnePointPerStep) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "w");
  s.apply(m, n);
  m.tick(1 * kSec);
  std::array<uint64_t, proto::kHistogramBuckets> processed{};
  processed[0] = 100;  // messages per second are processed ones: scopes that ended
  s.stats(1, 3, 103, 100, 0, processed);
  s.apply(m, n);
  m.tick(2 * kSec);
  auto pts = m.series(n, 10);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_FLOAT_EQ(pts[1].live_actors, 1.0f);
  EXPECT_FLOAT_EQ(pts[1].messages_per_s, 100.0f);
  EXPECT_FLOAT_EQ(pts[1].mailbox_total, 3.0f);
}

// The series is a ring of series_points, kept in blocks that a copy (a keyframe) shares: each
// side's points must stay its own when the other goes on. Step t spawns actor t, so the point
// of step t says t live actors.
TEST(Model, TimeSeriesKeepsItsLastPointsAndACopyKeepsItsOwn) {
  ModelSettings st;
  st.series_points = 600;  // blocks of 256, 256 and 88 points
  Model m(st);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  auto step = [&](Model& model, uint64_t t) {
    s.spawn(t, 0, "w");
    ASSERT_TRUE(s.apply(model, n).ok);
    model.tick(t * kSec);
  };
  auto expect_points = [&](const Model& model, uint64_t first, uint64_t last) {
    auto pts = model.series(n, SIZE_MAX);
    ASSERT_EQ(pts.size(), last - first + 1);
    for (uint64_t t = first; t <= last; ++t) {
      ASSERT_FLOAT_EQ(pts[t - first].live_actors, static_cast<float>(t)) << "step " << t;
      ASSERT_EQ(pts[t - first].at_ns, t * kSec) << "step " << t;
    }
  };
  for (uint64_t t = 1; t <= 200; ++t) step(m, t);
  expect_points(m, 1, 200);
  ASSERT_EQ(m.series(n, 5).size(), 5u);
  EXPECT_FLOAT_EQ(m.series(n, 5)[0].live_actors, 196.0f);
  for (uint64_t t = 201; t <= 700; ++t) step(m, t);
  expect_points(m, 101, 700);  // full: the oldest 100 went
  auto copy = m.clone();
  for (uint64_t t = 701; t <= 1000; ++t) step(m, t);
  expect_points(m, 401, 1000);
  expect_points(*copy, 101, 700);
  s.spawn(701, 0, "w");  // the copy goes on from where it was, on its own
  ASSERT_TRUE(s.apply(*copy, n).ok);
  copy->tick(701 * kSec);
  expect_points(*copy, 102, 701);
  expect_points(m, 401, 1000);
  auto copy_of_copy = copy->clone();
  for (uint64_t t = 1001; t <= 1300; ++t) step(m, t);
  expect_points(m, 701, 1300);
  expect_points(*copy, 102, 701);
  expect_points(*copy_of_copy, 102, 701);
}

// A node's string ids are kept in blocks that a copy of the model shares: an id defined
// again on one side must not change what it names on the other, and a table grown past many
// blocks keeps every id.
TEST(Model, AgentStringIdsStayTheirOwnInACopy) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  for (uint32_t id = 1; id <= 5000; ++id) s.add(proto::StringDef{id, "type-" + std::to_string(id)});
  ASSERT_TRUE(s.apply(m, n).ok);
  auto copy = m.clone();
  auto spawn_typed = [&](Model& model, uint64_t actor, uint32_t type_id) {
    proto::ActorSpawned a;
    a.actor = actor;
    a.type = type_id;
    s.add(a);
    ASSERT_TRUE(s.apply(model, n).ok);
  };
  s.add(proto::StringDef{7, "redefined"});
  s.add(proto::StringDef{4999, "redefined too"});
  ASSERT_TRUE(s.apply(m, n).ok);
  spawn_typed(m, 1, 7);
  spawn_typed(m, 2, 4999);
  spawn_typed(m, 3, 3000);
  spawn_typed(*copy, 1, 7);
  spawn_typed(*copy, 2, 4999);
  spawn_typed(*copy, 3, 3000);
  EXPECT_EQ(m.text(m.actor(n, 1)->type), "redefined");
  EXPECT_EQ(m.text(m.actor(n, 2)->type), "redefined too");
  EXPECT_EQ(m.text(m.actor(n, 3)->type), "type-3000");
  EXPECT_EQ(copy->text(copy->actor(n, 1)->type), "type-7");
  EXPECT_EQ(copy->text(copy->actor(n, 2)->type), "type-4999");
  EXPECT_EQ(copy->text(copy->actor(n, 3)->type), "type-3000");
}

TEST(Model, MemoryPerLiveActorStaysWithinBudget) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  constexpr uint64_t kActors = 100'000;
  s.spawn(1, 0, "sup", "top", ActorKind::Supervisor);
  for (uint64_t id = 2; id <= kActors; ++id) s.spawn(id, 1 + id % 100, "worker");
  ASSERT_TRUE(s.apply(m, n).ok);
  ModelStats st = m.stats();
  EXPECT_EQ(st.live_actors, kActors);
  double per_actor = static_cast<double>(st.actor_table_bytes) / kActors;
  EXPECT_LE(per_actor, 256.0) << "actor table bytes per live actor";
  EXPECT_LE(sizeof(Actor), 232u);
}

}  // namespace
}  // namespace actorscope::collector

namespace actorscope::collector {
namespace {

// Hostile input: random and mutated batches are applied or refused, never crash, and the
// tree stays walkable.
TEST(Model, RandomAndMutatedBatchesAreSurvived) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("fuzz"));
  std::mt19937 rng(1234);
  testing::Stream s;
  s.spawn(1, 0, "sup", "top", proto::ActorKind::Supervisor, "", 3, 5000);
  for (uint64_t id = 2; id < 40; ++id) s.spawn(id, 1 + id % 5, "w").stats(id, id, id, 1).restart(1, "c", id, id + 1);
  std::vector<uint8_t> valid = s.take();
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> b = valid;
    if (round % 3 == 0) {
      b.resize(rng() % 512);
      for (auto& x : b) x = static_cast<uint8_t>(rng());
    } else {
      for (int k = 0; k < 1 + round % 8; ++k) b[rng() % b.size()] = static_cast<uint8_t>(rng());
    }
    m.apply_batch(n, b.data(), b.size());
    if (round % 100 == 0) m.tick(static_cast<uint64_t>(round) * 100'000'000ull);
  }
  size_t visited = 0;
  std::function<void(uint64_t, int)> walk = [&](uint64_t parent, int depth) {
    ASSERT_LT(depth, 1000);
    m.for_each_child(n, parent, [&](const Actor& a) {
      ++visited;
      walk(a.id, depth + 1);
    });
  };
  walk(0, 0);
  EXPECT_EQ(visited, m.node(n)->live_actors) << "every live actor is reachable exactly once";
}

}  // namespace
}  // namespace actorscope::collector
