// The model's numbers at their source: what "processed" and "restarts" count, escalations,
// a restart budget that moves with time alone, and reader look-ups that are not anomalies.
// Expected values are written out from the records each test sends, not derived by the model.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "actorscope/collector/model.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using testing::Stream;
using proto::ActorKind;
using proto::ExitReason;
constexpr uint64_t kSec = 1'000'000'000;

uint64_t anomalies(const Model& m, Anomaly a) { return m.stats().anomalies[static_cast<size_t>(a)]; }

const TypeAggregate* type_named(const Model& m, NodeKey n, std::string_view type) {
  for (const TypeAggregate& t : m.types(n))
    if (m.text(t.type) == type) return &t;
  return nullptr;
}

TEST(ModelTruth, LookingUpANodeThatIsNotThereIsNoAnomaly) {
  // The server asks which connection feeds a node before its first Hello is applied.
  Model m;
  EXPECT_EQ(m.connection_of(m.find_node("new@host")), 0u);
  EXPECT_EQ(m.node(0), nullptr);
  EXPECT_TRUE(m.types(7).empty());
  NodeKey n = m.on_hello(1, testing::hello("new@host"));
  Stream s;
  s.spawn(1, 0, "w").stats(1, 0, 1, 1);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(anomalies(m, Anomaly::UnknownNode), 0u);
  // A record for a node that does not exist still is one.
  s.spawn(2, 0, "w");
  s.apply(m, 99);
  EXPECT_GT(anomalies(m, Anomaly::UnknownNode), 0u);
}

TEST(ModelTruth, ProcessedCountsProcessingScopesNotDequeues) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  m.set_now(1 * kSec);
  Stream s;
  s.spawn(1, 0, "parser").stats(1, 0, 0, 0);
  s.apply(m, n);
  // 10 messages taken out, 7 of them handled (3 poison messages dropped unprocessed).
  std::array<uint64_t, proto::kHistogramBuckets> h{};
  h[0] = 5;
  h[3] = 2;
  m.set_now(3 * kSec);
  s.stats(1, 0, 10, 10, 1000, h);
  s.apply(m, n);
  const TypeAggregate* t = type_named(m, n, "parser");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->dequeued(), 10u);
  EXPECT_EQ(t->processed(), 7u);
  // The actor's rate is processed messages over the 2 s between its samples.
  EXPECT_FLOAT_EQ(m.actor(n, 1)->messages_per_s, 3.5f);
  // And both survive its exit.
  s.exit(1, ExitReason::Normal);
  s.apply(m, n);
  EXPECT_EQ(t->dequeued(), 10u);
  EXPECT_EQ(t->processed(), 7u);
}

TEST(ModelTruth, ASupervisorsRestartsFollowTheChildAcrossItsIncarnations) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "top", "top", ActorKind::Supervisor, "", 10, 5000);
  s.spawn(10, 1, "pool", "", ActorKind::Supervisor, "pool", 3, 5000);
  s.spawn(100, 10, "worker", "", ActorKind::Worker, "w1");
  // The pool restarted w1 twice (records) and, by its own exact count, 5 times: three
  // restart records were dropped by the agent.
  s.restart(10, "w1", 100, 101).spawn(101, 10, "worker", "", ActorKind::Worker, "w1");
  s.restart(10, "w1", 101, 102).spawn(102, 10, "worker", "", ActorKind::Worker, "w1");
  s.stats(10, 0, 0, 0, 0, {}, 5);
  s.apply(m, n);
  ASSERT_NE(m.supervisor(n, 10), nullptr);
  EXPECT_EQ(m.supervisor(n, 10)->total_restarts(), 5u);
  EXPECT_EQ(m.child_restarts(n, *m.actor(n, 102)), 2u);

  // The pool itself crashes and its supervisor restarts it: the new pool's count goes on
  // from 5, and so does the count of its child w1.
  s.exit(102, ExitReason::Shutdown).exit(10, ExitReason::Error, "boom");
  s.restart(1, "pool", 10, 11).spawn(11, 1, "pool", "", ActorKind::Supervisor, "pool", 3, 5000);
  s.spawn(110, 11, "worker", "", ActorKind::Worker, "w1");
  s.restart(11, "w1", 110, 111).spawn(111, 11, "worker", "", ActorKind::Worker, "w1");
  s.stats(11, 0, 0, 0, 0, {}, 1);
  s.apply(m, n);
  const Supervisor* pool = m.supervisor(n, 11);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->total_restarts(), 6u);
  EXPECT_EQ(m.child_restarts(n, *m.actor(n, 111)), 3u);
  EXPECT_EQ(m.child_restarts(n, *m.actor(n, 11)), 1u) << "the pool, as a child of top, was restarted once";
  // The metric by label says the same.
  uint64_t by_label = 0;
  for (const auto& [label, count] : m.restarts_by_supervisor(n))
    if (m.text(label) == "pool") by_label = count;
  EXPECT_EQ(by_label, 6u);
}

// A child is a thing: restarted 50 times under a supervisor that is itself restarted, it keeps
// its count, its last crash (which incarnation, when, why, the event with the text) and the
// incarnation its last restart started. Expected values are the records this test sends.
TEST(ModelTruth, AChildKeepsItsHistoryAcrossItsAndItsSupervisorsIncarnations) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "top", "top", ActorKind::Supervisor, "", 1000, 5000);
  s.spawn(10, 1, "pool", "", ActorKind::Supervisor, "pool", 1000, 5000);
  s.spawn(100, 10, "parser", "parser3", ActorKind::Worker, "parser3");
  uint64_t cur = 100;
  auto crash_and_restart = [&](uint64_t sup, int k) {
    const std::string why = "error: malformed record " + std::to_string(k);
    s.exit_inline(cur, ExitReason::Error, why);
    s.restart(sup, "parser3", cur, cur + 1, ExitReason::Error, why);
    s.spawn(cur + 1, sup, "parser", "parser3", ActorKind::Worker, "parser3");
    ++cur;
  };
  for (int k = 1; k <= 30; ++k) crash_and_restart(10, k);
  ASSERT_TRUE(s.apply(m, n).ok);
  // The pool itself is restarted (its children stop with it, reason shutdown).
  s.exit(cur, ExitReason::Shutdown).exit_inline(10, ExitReason::Error, "pool: too many restarts");
  s.restart(1, "pool", 10, 11).spawn(11, 1, "pool", "", ActorKind::Supervisor, "pool", 1000, 5000);
  cur = 1000;
  s.spawn(cur, 11, "parser", "parser3", ActorKind::Worker, "parser3");
  for (int k = 31; k <= 50; ++k) crash_and_restart(11, k);
  // The last crash came with a restart record only (an agent that dropped the exit).
  s.restart(11, "parser3", cur, cur + 1, ExitReason::Killed, "killed by the test");
  s.spawn(cur + 1, 11, "parser", "parser3", ActorKind::Worker, "parser3");
  const uint64_t killed = cur;
  ++cur;
  ASSERT_TRUE(s.apply(m, n).ok);

  const Actor* now = m.actor(n, cur);
  ASSERT_NE(now, nullptr);
  const ChildRecord* c = m.child(n, 11, now->child_id);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(m.text(c->child_id), "parser3");
  EXPECT_EQ(c->restarts, 51u);
  EXPECT_EQ(c->current, cur);
  EXPECT_EQ(c->last_crash_actor, killed);
  EXPECT_EQ(c->last_reason, ExitReason::Killed);
  const Event* e = m.event(c->last_crash_seq);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->detail, "killed by the test");
  // One before: the crash came with its own exit event, which the record points to (crashes
  // are incidents, kept longer than restarts).
  EXPECT_EQ(m.child(n, 10, now->child_id), nullptr) << "the old pool is not live: its records moved on";
  EXPECT_EQ(m.child_restarts(n, *now), 51u);
  // No record for a child that never crashed nor restarted.
  s.spawn(5000, 11, "parser", "parser9", ActorKind::Worker, "parser9");
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.child(n, 11, m.actor(n, 5000)->child_id), nullptr);
}

// A gone supervisor's live successor is known by the gone one's id, however many times it was
// replaced, with no event left in the log; the oldest gone ones are forgotten past the bound.
TEST(ModelTruth, AGoneSupervisorsLiveSuccessorIsKnownByItsId) {
  ModelSettings settings;
  settings.gone_supervisors_per_node = 3;
  Model m(settings);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "top", "top", ActorKind::Supervisor, "", 1000, 5000);
  s.spawn(10, 1, "pool", "", ActorKind::Supervisor, "pool", 1000, 5000);
  s.spawn(20, 1, "cache", "", ActorKind::Supervisor, "cache", 1000, 5000);
  for (uint64_t pool = 10; pool < 13; ++pool)
    s.exit(pool, ExitReason::Error).restart(1, "pool", pool, pool + 1).spawn(pool + 1, 1, "pool", "", ActorKind::Supervisor, "pool", 1000, 5000);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.successor_of_supervisor(n, 10), 13u) << "three generations on";
  EXPECT_EQ(m.successor_of_supervisor(n, 12), 13u);
  EXPECT_EQ(m.successor_of_supervisor(n, 13), 0u) << "a live one is no gone one";
  EXPECT_EQ(m.successor_of_supervisor(n, 20), 0u);
  EXPECT_EQ(m.successor_of_supervisor(n, 100), 0u) << "an id never seen";
  // The cache goes and is not restarted: none is live in its place.
  s.exit(20, ExitReason::Shutdown);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.successor_of_supervisor(n, 20), 0u);
  EXPECT_EQ(m.successor_of_supervisor(n, 10), 0u) << "the oldest of four gone, past a bound of 3, is forgotten";
  EXPECT_EQ(m.successor_of_supervisor(n, 11), 13u);
  // Its next incarnation is found from the earlier ones' ids.
  s.spawn(21, 1, "cache", "", ActorKind::Supervisor, "cache", 1000, 5000);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(m.successor_of_supervisor(n, 20), 21u);
}

// A child's crash that the agent reports after its supervisor was already replaced (the
// supervisor's exit came first) still lands in the child's record, now with the successor.
TEST(ModelTruth, ACrashReportedAfterItsSupervisorWasReplacedIsKeptByTheSuccessor) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "top", "top", ActorKind::Supervisor, "", 1000, 5000);
  s.spawn(10, 1, "pool", "", ActorKind::Supervisor, "pool", 1000, 5000);
  s.spawn(100, 10, "parser", "parser3", ActorKind::Worker, "parser3");
  s.exit(10, ExitReason::Shutdown).restart(1, "pool", 10, 11).spawn(11, 1, "pool", "", ActorKind::Supervisor, "pool", 1000, 5000);
  s.exit_inline(100, ExitReason::Error, "error: late report");
  ASSERT_TRUE(s.apply(m, n).ok);
  s.spawn(101, 11, "parser", "parser3", ActorKind::Worker, "parser3");
  ASSERT_TRUE(s.apply(m, n).ok);
  const ChildRecord* c = m.child(n, 11, m.actor(n, 101)->child_id);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->last_crash_actor, 100u);
  EXPECT_EQ(c->last_reason, ExitReason::Error);
}

// An agent reports the supervisor's next incarnation before the old one's exit (its threads
// flush in their own order): what the old one counted goes to the new one all the same.
TEST(ModelTruth, ASupervisorsNextIncarnationReportedBeforeItsExitTakesOverItsChildren) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "top", "top", ActorKind::Supervisor, "", 1000, 5000);
  s.spawn(10, 1, "pool", "", ActorKind::Supervisor, "pool", 1000, 5000);
  s.spawn(100, 10, "parser", "parser3", ActorKind::Worker, "parser3");
  s.exit_inline(100, ExitReason::Error, "error: bad input");
  s.restart(10, "parser3", 100, 101, ExitReason::Error, "error: bad input").spawn(101, 10, "parser", "parser3", ActorKind::Worker, "parser3");
  // The new pool first, then the old one's exit and its child's.
  s.spawn(11, 1, "pool", "", ActorKind::Supervisor, "pool", 1000, 5000).spawn(102, 11, "parser", "parser3", ActorKind::Worker, "parser3");
  s.restart(1, "pool", 10, 11);
  s.exit(10, ExitReason::Shutdown).exit_inline(101, ExitReason::Error, "error: late");
  ASSERT_TRUE(s.apply(m, n).ok);
  const ChildRecord* c = m.child(n, 11, m.actor(n, 102)->child_id);
  ASSERT_NE(c, nullptr) << "the old pool's record of parser3 moved to the new pool";
  EXPECT_EQ(c->restarts, 1u);
  EXPECT_EQ(c->last_crash_actor, 101u) << "the crash reported after the old pool had gone";
  const Supervisor* pool = m.supervisor(n, 11);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->total_restarts(), 1u) << "the old pool's restart of parser3";
  EXPECT_EQ(m.successor_of_supervisor(n, 10), 11u);
}

// A subtree restarted from above, reported out of order (the new pool before its new parent,
// both before the old ones' exits): each gone supervisor's live successor is still found.
TEST(ModelTruth, ASuccessorIsFoundWhenASubtreeIsReportedOutOfOrder) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "top", "top", ActorKind::Supervisor, "", 1000, 5000);
  s.spawn(10, 1, "mid", "", ActorKind::Supervisor, "mid", 1000, 5000);
  s.spawn(100, 10, "pool", "", ActorKind::Supervisor, "pool", 1000, 5000);
  s.spawn(1000, 100, "parser", "parser3", ActorKind::Worker, "parser3");
  s.exit_inline(1000, ExitReason::Error, "error: first");
  s.spawn(101, 11, "pool", "", ActorKind::Supervisor, "pool", 1000, 5000);  // its parent is not known yet
  s.spawn(11, 1, "mid", "", ActorKind::Supervisor, "mid", 1000, 5000);
  s.spawn(1001, 101, "parser", "parser3", ActorKind::Worker, "parser3");
  s.exit(100, ExitReason::Shutdown).exit(10, ExitReason::Shutdown).restart(1, "mid", 10, 11);
  ASSERT_TRUE(s.apply(m, n).ok);
  ASSERT_NE(m.actor(n, 101), nullptr);
  ASSERT_EQ(m.actor(n, 101)->parent, 11u);
  EXPECT_EQ(m.successor_of_supervisor(n, 10), 11u);
  EXPECT_EQ(m.successor_of_supervisor(n, 100), 101u) << "under the middle one's successor, by its child id";
  const ChildRecord* c = m.child(n, 101, m.actor(n, 1001)->child_id);
  ASSERT_NE(c, nullptr) << "the old pool's record of parser3 is with the new pool";
  EXPECT_EQ(c->last_crash_actor, 1000u);
}

TEST(ModelTruth, AChildsLastCrashPointsAtItsExitEvent) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "sup", "sup", ActorKind::Supervisor, "", 10, 5000);
  s.spawn(2, 1, "parser", "", ActorKind::Worker, "p");
  s.exit_inline(2, ExitReason::Error, "error: bad input");
  s.restart(1, "p", 2, 3, ExitReason::Error, "error: bad input").spawn(3, 1, "parser", "", ActorKind::Worker, "p");
  ASSERT_TRUE(s.apply(m, n).ok);
  const ChildRecord* c = m.child(n, 1, m.actor(n, 3)->child_id);
  ASSERT_NE(c, nullptr);
  const Event* e = m.event(c->last_crash_seq);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, EventKind::Crash);
  EXPECT_EQ(e->actor, 2u);
  EXPECT_EQ(m.text(e->child_id), "p");
  EXPECT_EQ(c->last_crash_wall_ns, e->wall_ns);
}

TEST(ModelTruth, RestartBudgetIsNotedAgainWhenRestartsLeaveThePeriod) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "sup", "sup", ActorKind::Supervisor, "", 3, 2000);
  s.apply(m, n);
  m.tick(1 * kSec);
  m.set_now(1 * kSec);
  s.restart(1, "c", 2, 3).restart(1, "c", 3, 4).restart(1, "c", 4, 5);
  s.apply(m, n);
  m.tick(2 * kSec);
  m.commit();
  uint64_t before = m.version();
  EXPECT_DOUBLE_EQ(m.restart_budget_used(n, 1), 1.0);
  // No record arrives; the restarts age out of the 2 s period.
  m.tick(4 * kSec);
  m.commit();
  EXPECT_DOUBLE_EQ(m.restart_budget_used(n, 1), 0.0);
  std::vector<Change> changes;
  ASSERT_EQ(m.changes_since(before, changes), SinceResult::Ok);
  bool noted = false;
  for (const Change& c : changes) noted |= c.kind == ChangeKind::ActorChanged && c.actor == 1;
  EXPECT_TRUE(noted) << "a viewer following the journal must learn that the budget fell to 0";
}

// The tick looks at a supervisor's budget when it can change (a restart came, one leaves the
// period, its period changed), not at every tick: among 50 000 supervisors with a restart
// inside an hour-long period, each budget the tick shows is the one the model computes, at
// every instant, and changes within one tick.
TEST(ModelTruth, TheBudgetShownChangesExactlyWhenARestartLeavesThePeriodAmongManyWatched) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  constexpr uint64_t kMany = 50'000;
  for (uint64_t id = 1; id <= kMany; ++id) s.spawn(id, 0, "sup", "", ActorKind::Supervisor, "", 4, 3'600'000);
  s.spawn(kMany + 1, 0, "short", "", ActorKind::Supervisor, "", 2, 2000);
  s.apply(m, n);
  m.set_now(1 * kSec);
  for (uint64_t id = 1; id <= kMany + 1; ++id) s.restart(id, "c", 0, 0);
  s.apply(m, n);
  const auto shown = [&](uint64_t id) { return m.supervisor(n, id)->budget_shown; };
  const auto computed = [&](uint64_t id) {
    return static_cast<uint32_t>(std::lround(m.restart_budget_used(n, id) * m.supervisor(n, id)->intensity));
  };
  m.tick(1 * kSec);
  EXPECT_EQ(shown(7), 1u);
  EXPECT_EQ(shown(kMany + 1), 1u);
  // The short one's restart leaves its 2 s period at exactly 3 s.
  for (uint64_t t : {2 * kSec, 3 * kSec - 1, 3 * kSec, 4 * kSec}) {
    m.tick(t);
    EXPECT_EQ(shown(kMany + 1), computed(kMany + 1)) << t;
    EXPECT_EQ(shown(7), computed(7)) << t;
  }
  EXPECT_EQ(shown(kMany + 1), 0u);
  EXPECT_EQ(shown(7), 1u);
  // A second restart of one of the many shows at the next tick.
  m.set_now(5 * kSec);
  s.restart(7, "c", 0, 0);
  s.apply(m, n);
  m.tick(5 * kSec);
  EXPECT_EQ(shown(7), 2u);
  // Its period shortened to 2 s (a spawn that updates it): both restarts have left it.
  m.set_now(8 * kSec);
  s.spawn(7, 0, "sup", "", ActorKind::Supervisor, "", 4, 2000);
  s.apply(m, n);
  m.tick(8 * kSec);
  EXPECT_EQ(shown(7), 0u);
  EXPECT_EQ(shown(8), 1u);
  // An hour after the first restarts, every one of them has left the period.
  m.tick(1 * kSec + 3600 * kSec);
  for (uint64_t id : {uint64_t{1}, uint64_t{8}, kMany}) EXPECT_EQ(shown(id), 0u) << id;
}

TEST(ModelTruth, EscalationsAreCountedAndLogged) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "top", "top", ActorKind::Supervisor, "", 1, 5000);
  s.spawn(10, 1, "pool", "", ActorKind::Supervisor, "pool", 1, 5000);
  s.add(proto::SupervisorEscalated{5, 10});
  s.exit(10, ExitReason::Shutdown, "reached_max_restart_intensity");
  s.add(proto::SupervisorEscalated{6, 1});  // the top one gives up too
  s.apply(m, n);
  EXPECT_EQ(m.node(n)->escalations, 2u);
  std::vector<std::string> labels;
  for (const auto& [label, count] : m.escalations_by_supervisor(n)) {
    EXPECT_EQ(count, 1u);
    labels.emplace_back(m.text(label));
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"pool", "top"}));
  size_t logged = 0;
  for (const Event* e : m.events_since(0, 100))
    if (e->kind == EventKind::Escalation) ++logged;
  EXPECT_EQ(logged, 2u);
  EXPECT_EQ(anomalies(m, Anomaly::UnknownActor), 0u);
}


std::array<uint64_t, proto::kHistogramBuckets> handled(uint64_t n) {
  std::array<uint64_t, proto::kHistogramBuckets> h{};
  h[0] = n;
  return h;
}

TEST(ModelTruth, TheFirstRateWindowOfANodeCountsFromItsConnect) {
  Model m;
  m.set_now(10 * kSec);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "top", "top", ActorKind::Supervisor, "", 10, 5000);
  s.spawn(100, 1, "worker", "", ActorKind::Worker, "w1");
  // 3000 messages handled and 8 restarts, all before the collector's first step.
  uint64_t id = 100;
  for (int i = 0; i < 8; ++i, ++id) s.restart(1, "w1", id, id + 1).spawn(id + 1, 1, "worker", "", ActorKind::Worker, "w1");
  s.stats(id, 0, 3000, 3000, 0, handled(3000));
  m.set_now(10 * kSec + kSec / 2);
  s.apply(m, n);
  m.tick(10 * kSec + kSec / 2);  // the first step: half a second after the connect
  auto pts = m.series(n, 60);
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_FLOAT_EQ(pts[0].seconds, 0.5f);
  EXPECT_FLOAT_EQ(pts[0].messages_per_s, 3000.0f / 0.5f);
  EXPECT_FLOAT_EQ(pts[0].restarts_per_s, 8.0f / 0.5f);
  // The next window saw nothing.
  m.tick(11 * kSec + kSec / 2);
  pts = m.series(n, 60);
  ASSERT_EQ(pts.size(), 2u);
  EXPECT_FLOAT_EQ(pts[1].seconds, 1.0f);
  EXPECT_FLOAT_EQ(pts[1].messages_per_s, 0.0f);
  EXPECT_FLOAT_EQ(pts[1].restarts_per_s, 0.0f);
}

TEST(ModelTruth, ASnapshotsCountsAreNotARate) {
  // A collector that starts while the app runs receives the app's past in the snapshot:
  // those 50 000 messages were not handled in the first window.
  Model m;
  m.set_now(10 * kSec);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.add(proto::SnapshotBegin{1, 1});
  s.spawn(1, 0, "w").stats(1, 0, 50'000, 50'000, 0, handled(50'000));
  s.add(proto::SnapshotEnd{1});
  s.apply(m, n);
  m.set_now(11 * kSec);
  s.stats(1, 0, 50'400, 50'400, 0, handled(50'400));  // 400 handled after the connect
  s.apply(m, n);
  m.tick(12 * kSec);
  auto pts = m.series(n, 60);
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_FLOAT_EQ(pts[0].messages_per_s, 400.0f / 2.0f);
}



bool journaled(const Model& m, uint64_t since, NodeKey n, uint64_t actor) {
  std::vector<Change> changes;
  if (m.changes_since(since, changes) != SinceResult::Ok) return false;
  for (const Change& c : changes)
    if (c.node == n && c.actor == actor && c.kind == ChangeKind::ActorChanged) return true;
  return false;
}

TEST(ModelTruth, AnIdleActorsRateFallsToZeroAfterTheRateWindow) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  m.set_now(1 * kSec);
  s.spawn(1, 0, "parser").stats(1, 0, 0, 0);
  s.apply(m, n);
  m.tick(1 * kSec);
  // 2000 messages handled in the next second, then nothing more: the agent sends no sample
  // for an idle cell.
  m.set_now(2 * kSec);
  s.stats(1, 0, 2000, 2000, 0, handled(2000));
  s.apply(m, n);
  EXPECT_FLOAT_EQ(m.actor(n, 1)->messages_per_s, 2000.0f);
  m.tick(3 * kSec);  // one second idle: still inside the window
  EXPECT_FLOAT_EQ(m.actor(n, 1)->messages_per_s, 2000.0f);
  uint64_t before = m.commit();
  // Window (2 s by default) after the last sample, time alone moved the rate: it reads 0,
  // and readers that follow the journal are told.
  ASSERT_EQ(m.settings().actor_rate_window_ns, 2 * kSec);
  m.tick(4 * kSec);
  m.commit();
  EXPECT_FLOAT_EQ(m.actor(n, 1)->messages_per_s, 0.0f);
  EXPECT_TRUE(journaled(m, before, n, 1));
  // 11 s idle: still 0; a new sample brings a rate back (30 messages in the 11 s since).
  m.tick(13 * kSec);
  EXPECT_FLOAT_EQ(m.actor(n, 1)->messages_per_s, 0.0f);
  m.set_now(13 * kSec);
  s.stats(1, 0, 2030, 2030, 0, handled(2030));
  s.apply(m, n);
  EXPECT_FLOAT_EQ(m.actor(n, 1)->messages_per_s, 30.0f / 11.0f);
}


// A BEAM node's agent declares that its work is reductions (sent as dequeued, with no
// processing scope): its actors' rate is reductions/s, and the drain-time warning, which
// needs messages drained per second, is not judged there. A C++ node sending the same
// records without the declaration has processed nothing: rate 0.
// A mailbox's fill rate is what was put in per second over the same window as the drain rate
// (messages processed per second); it goes to 0 with it when no sample comes. A BEAM node's
// mailboxes are sampled, not counted: no fill rate there. Expected values are this test's.
TEST(ModelTruth, AMailboxsFillRateIsWhatWasPutInPerSecondBesideWhatWasProcessed) {
  Model m;
  proto::Hello beam_hello = testing::hello("shop@web-1");
  beam_hello.capabilities = proto::kCapReductions;
  NodeKey beam = m.on_hello(1, beam_hello);
  NodeKey cpp = m.on_hello(2, testing::hello("orders"));
  m.set_now(1 * kSec);
  Stream to_beam, to_cpp;
  for (auto [s, node] : {std::pair{&to_beam, beam}, std::pair{&to_cpp, cpp}}) {
    s->spawn(1, 0, "worker").stats(1, 0, 0, 0);
    ASSERT_TRUE(s->apply(m, node).ok);
  }
  // Two seconds later: 1000 put in, 600 taken out and processed, 400 waiting.
  m.set_now(3 * kSec);
  std::array<uint64_t, proto::kHistogramBuckets> hist{};
  hist[0] = 600;
  for (auto [s, node] : {std::pair{&to_beam, beam}, std::pair{&to_cpp, cpp}}) {
    s->stats(1, 400, 1000, 600, 600'000, hist);
    ASSERT_TRUE(s->apply(m, node).ok);
  }
  EXPECT_FLOAT_EQ(m.actor(cpp, 1)->fill_per_s, 500.0f);
  EXPECT_FLOAT_EQ(m.actor(cpp, 1)->messages_per_s, 300.0f);
  EXPECT_FLOAT_EQ(m.actor(beam, 1)->fill_per_s, 0.0f) << "a BEAM node's mailbox is sampled, not counted";
  // Only put in since (a stuck actor), one second later: averaged over about a second, the
  // last second weighs as much as what came before: fill (500 + 200) / 2, drain (300 + 0) / 2.
  m.set_now(4 * kSec);
  to_cpp.stats(1, 600, 1200, 600, 600'000, hist);
  ASSERT_TRUE(to_cpp.apply(m, cpp).ok);
  ASSERT_EQ(m.settings().actor_rate_smoothing_ns, 1 * kSec);
  EXPECT_FLOAT_EQ(m.actor(cpp, 1)->fill_per_s, 350.0f);
  EXPECT_FLOAT_EQ(m.actor(cpp, 1)->messages_per_s, 150.0f);
  // No sample for a rate window: it reads 0, as the drain rate does.
  m.tick(4 * kSec + m.settings().actor_rate_window_ns);
  EXPECT_FLOAT_EQ(m.actor(cpp, 1)->fill_per_s, 0.0f);
}

// The agent samples a busy actor at every flush in which its cell changed, often 100 ms apart
// with a message or two in each: one sample's own rate jumps between 0 and twice the true one.
// Averaged over about a second, an actor handling 35 messages/s (7 in every other 100 ms)
// reads close to 35 at every sample; a steady rate reads itself however unevenly it is
// sampled; with the smoothing off, each sample's own rate shows. Expected values are this
// test's arithmetic on the true rate.
TEST(ModelTruth, AnActorsRateIsAveragedOverAboutASecondNotOneSample) {
  for (uint64_t smoothing : {1 * kSec, uint64_t{0}}) {
    ModelSettings st;
    st.actor_rate_smoothing_ns = smoothing;
    Model m(st);
    NodeKey n = m.on_hello(1, testing::hello("app"));
    m.set_now(1 * kSec);
    Stream s;
    s.spawn(1, 0, "store").stats(1, 0, 0, 0);
    ASSERT_TRUE(s.apply(m, n).ok);
    uint64_t done = 0;
    float low = 1e9f, high = 0;
    for (int i = 1; i <= 100; ++i) {  // ten seconds of 100 ms flushes
      m.set_now(1 * kSec + static_cast<uint64_t>(i) * kSec / 10);
      done += i % 2 ? 7 : 0;
      std::array<uint64_t, proto::kHistogramBuckets> hist{};
      hist[0] = done;
      s.stats(1, 1, done + 1, done, 0, hist);  // one waiting: the cell changed even when none was handled
      ASSERT_TRUE(s.apply(m, n).ok);
      if (i > 50) {  // the last five seconds
        low = std::min(low, m.actor(n, 1)->messages_per_s);
        high = std::max(high, m.actor(n, 1)->messages_per_s);
      }
    }
    if (smoothing) {
      EXPECT_GE(low, 35.0f * 0.9f) << "true rate 35/s";
      EXPECT_LE(high, 35.0f * 1.1f) << "true rate 35/s";
    } else {
      EXPECT_FLOAT_EQ(low, 0.0f);
      EXPECT_FLOAT_EQ(high, 70.0f);
    }
  }
  // A steady 40/s sampled 100 ms, then 300 ms, then 50 ms apart reads 40 at each sample.
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("app"));
  m.set_now(1 * kSec);
  Stream s;
  s.spawn(1, 0, "store").stats(1, 0, 0, 0);
  ASSERT_TRUE(s.apply(m, n).ok);
  uint64_t t = 1 * kSec, done = 0;
  for (uint64_t gap_ms : {100, 300, 50, 100, 300, 50}) {
    t += gap_ms * 1'000'000;
    done += 40 * gap_ms / 1000;
    m.set_now(t);
    std::array<uint64_t, proto::kHistogramBuckets> hist{};
    hist[0] = done;
    s.stats(1, 0, done, done, 0, hist);
    ASSERT_TRUE(s.apply(m, n).ok);
    EXPECT_NEAR(m.actor(n, 1)->messages_per_s, 40.0f, 0.01f) << "after a gap of " << gap_ms << " ms";
  }
}

TEST(ModelTruth, ANodeThatCountsReductionsHasReductionsPerSecond) {
  ModelSettings st;
  st.mailbox_wait_ns = 1 * kSec;
  st.stuck_after_ns = 3600 * kSec;
  Model m(st);
  proto::Hello beam_hello = testing::hello("shop@web-1");
  beam_hello.capabilities = proto::kCapReductions;
  NodeKey beam = m.on_hello(1, beam_hello);
  NodeKey cpp = m.on_hello(2, testing::hello("orders"));
  ASSERT_TRUE(m.node(beam)->rates_in_reductions);
  ASSERT_FALSE(m.node(cpp)->rates_in_reductions);
  m.set_now(1 * kSec);
  Stream to_beam, to_cpp;
  for (auto [s, node] : {std::pair{&to_beam, beam}, std::pair{&to_cpp, cpp}}) {
    s->spawn(1, 0, "worker").stats(1, 0, 0, 0);
    ASSERT_TRUE(s->apply(m, node).ok);
  }
  // Two seconds later: 9000 reductions, 500 messages waiting.
  m.set_now(3 * kSec);
  for (auto [s, node] : {std::pair{&to_beam, beam}, std::pair{&to_cpp, cpp}}) {
    s->stats(1, 500, 9500, 9000);
    ASSERT_TRUE(s->apply(m, node).ok);
  }
  EXPECT_FLOAT_EQ(m.actor(beam, 1)->messages_per_s, 4500.0f);
  EXPECT_FLOAT_EQ(m.actor(cpp, 1)->messages_per_s, 0.0f);
  m.tick(3 * kSec);
  for (const Warning& w : m.warnings())
    EXPECT_FALSE(w.kind == WarningKind::MailboxWait && w.node == beam) << w.text;
  // Scans sample a BEAM node's processes seconds apart: its rate holds between them, where a
  // C++ actor's would read 0 after 2 s without a sample.
  ASSERT_EQ(m.settings().reductions_rate_window_ns, 10 * kSec);
  m.tick(8 * kSec);
  EXPECT_FLOAT_EQ(m.actor(beam, 1)->messages_per_s, 4500.0f);
  m.tick(14 * kSec);
  EXPECT_FLOAT_EQ(m.actor(beam, 1)->messages_per_s, 0.0f);
  // A reconnect without the declaration (an agent of another kind under the same name)
  // counts messages again.
  m.on_disconnect(beam, 1);
  m.on_hello(3, testing::hello("shop@web-1", 2));
  EXPECT_FALSE(m.node(beam)->rates_in_reductions);
}

TEST(ModelTruth, AChildsExitEventNamesTheChild) {
  // Supervisor children usually have a child id and no name of their own.
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "pool_sup", "pool", ActorKind::Supervisor, "", 3, 5000);
  s.spawn(10, 1, "worker", "", ActorKind::Worker, "w1");
  s.exit(10, ExitReason::Shutdown);
  s.apply(m, n);
  EventQuery q;
  q.before_seq = m.last_event_seq() + 1;
  q.actor = 1;  // the supervisor's recent events
  q.kinds = 1u << static_cast<unsigned>(EventKind::Exit);
  auto events = m.events(q);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]->actor, 10u);
  EXPECT_EQ(m.text(events[0]->name), "w1");
}



size_t count_events(const Model& m, EventKind kind) {
  EventQuery q;
  q.before_seq = m.last_event_seq() + 1;
  q.limit = SIZE_MAX;
  q.kinds = 1u << static_cast<unsigned>(kind);
  return m.events(q).size();
}

TEST(ModelTruth, TelemetryVolumeCannotPushCrashesOutOfTheEventLog) {
  ModelSettings settings;
  settings.event_log_capacity = 200;  // 100 for lifecycle events (50 incidents, 50 routine), 100 for telemetry
  settings.event_log_incidents_kept_per_node = 10;
  Model m(settings);
  NodeKey n = m.on_hello(1, testing::hello("a"));  // a node_connected event
  Stream s;
  s.spawn(1, 0, "pool_sup", "pool", ActorKind::Supervisor, "", 100, 5000);
  uint64_t id = 10;
  // 8 crashes, each restarted 3 times (24 restarts), then 22 workers shut down.
  for (int crash = 0; crash < 8; ++crash) {
    s.spawn(id, 1, "worker", "", ActorKind::Worker, "w");
    s.exit(id, ExitReason::Error, "boom");
    for (int r = 0; r < 3; ++r, ++id) s.restart(1, "w", id, id + 1).spawn(id + 1, 1, "worker", "", ActorKind::Worker, "w");
    s.exit(id, ExitReason::Shutdown);
    ++id;
  }
  for (int i = 0; i < 14; ++i, ++id) s.spawn(id, 1, "worker").exit(id, ExitReason::Shutdown);
  // Then 1500 telemetry events.
  proto::Telemetry t;
  t.event = s.str("db.query.stop");
  for (int i = 0; i < 1500; ++i) s.add(t);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(count_events(m, EventKind::Crash), 8u);
  EXPECT_EQ(count_events(m, EventKind::Restart), 24u);
  EXPECT_EQ(count_events(m, EventKind::Exit), 8u + 14u);
  EXPECT_EQ(count_events(m, EventKind::NodeConnected), 1u);
  EXPECT_EQ(count_events(m, EventKind::Telemetry), 100u);
  // What was pushed out is counted, by kind: only telemetry.
  ModelStats st = m.stats();
  EXPECT_EQ(st.events_dropped, 1400u);
  EXPECT_EQ(st.events_dropped_by_kind[static_cast<size_t>(EventKind::Telemetry)], 1400u);
  EXPECT_EQ(st.events_dropped_by_kind[static_cast<size_t>(EventKind::Crash)], 0u);
  // The whole log, newest first, is one seq order across both shares.
  EventQuery all;
  all.before_seq = m.last_event_seq() + 1;
  all.limit = SIZE_MAX;
  auto events = m.events(all);
  ASSERT_EQ(events.size(), 1u + 8 + 24 + 22 + 100);
  for (size_t i = 1; i < events.size(); ++i) EXPECT_GT(events[i - 1]->seq, events[i]->seq);
  // Routine lifecycle events push out only routine events, oldest first: never a crash.
  for (int i = 0; i < 60; ++i, ++id) s.spawn(id, 1, "worker").exit(id, ExitReason::Normal);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(count_events(m, EventKind::Telemetry), 100u);
  st = m.stats();
  // 107 routine events for 50 places: the 57 oldest went (node_connected, the 24 restarts and
  // 8 shutdowns of the crash rounds, the 14 shutdowns, then 10 of the 60 new exits).
  EXPECT_EQ(st.events_dropped, 1400u + 57);
  EXPECT_EQ(st.events_dropped_by_kind[static_cast<size_t>(EventKind::NodeConnected)], 1u);
  EXPECT_EQ(st.events_dropped_by_kind[static_cast<size_t>(EventKind::Crash)], 0u);
  EXPECT_EQ(st.events_dropped_by_kind[static_cast<size_t>(EventKind::Restart)], 24u);
  EXPECT_EQ(st.events_dropped_by_kind[static_cast<size_t>(EventKind::Exit)], 32u);
  EXPECT_EQ(count_events(m, EventKind::Crash), 8u);
  // Incidents push out only incidents: 60 more crashes for 50 places leave the newest 50,
  // and past them the node's own newest 10 (event_log_incidents_kept_per_node).
  for (int i = 0; i < 60; ++i, ++id) s.spawn(id, 1, "worker").exit(id, ExitReason::Error, "boom");
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(count_events(m, EventKind::Crash), 60u);
  EXPECT_EQ(m.stats().events_dropped_by_kind[static_cast<size_t>(EventKind::Crash)], 8u);
}

TEST(ModelTruth, ACrashStormOnOneNodeLeavesAnotherNodesLastCrashes) {
  ModelSettings settings;
  settings.event_log_capacity = 200;  // 50 places for incidents
  settings.event_log_incidents_kept_per_node = 4;
  Model m(settings);
  NodeKey billing = m.on_hello(1, testing::hello("billing"));
  NodeKey orders = m.on_hello(2, testing::hello("orders"));
  Stream b;
  for (uint64_t id = 1; id <= 3; ++id) b.spawn(id, 0, "invoicer").exit(id, ExitReason::Error, "timeout");
  ASSERT_TRUE(b.apply(m, billing).ok);
  Stream o;
  for (uint64_t id = 1; id <= 500; ++id) o.spawn(id, 0, "worker").exit(id, ExitReason::Error, "boom");
  ASSERT_TRUE(o.apply(m, orders).ok);
  // The shared share holds orders' newest 50; past it each node keeps its newest 4.
  auto crashes_of = [&](NodeKey node) {
    EventQuery q;
    q.before_seq = m.last_event_seq() + 1;
    q.limit = SIZE_MAX;
    q.kinds = event_bit(EventKind::Crash);
    q.node = node;
    return m.events(q);
  };
  auto billing_crashes = crashes_of(billing);
  ASSERT_EQ(billing_crashes.size(), 3u) << "billing's crashes were pushed out by orders' storm";
  EXPECT_EQ(billing_crashes[0]->actor, 3u);
  EXPECT_EQ(billing_crashes[2]->actor, 1u);
  auto orders_crashes = crashes_of(orders);
  ASSERT_EQ(orders_crashes.size(), 54u);
  EXPECT_EQ(orders_crashes.front()->actor, 500u);
  EXPECT_EQ(orders_crashes.back()->actor, 500u - 53);
  EXPECT_EQ(crashes_of(0).size(), 57u);
  EXPECT_EQ(m.stats().events_dropped_by_kind[static_cast<size_t>(EventKind::Crash)], 500u - 54);
  // One log in seq order across the shares and what the nodes kept, both ways.
  EventQuery all;
  all.before_seq = m.last_event_seq() + 1;
  all.limit = SIZE_MAX;
  auto newest_first = m.events(all);
  for (size_t i = 1; i < newest_first.size(); ++i) EXPECT_GT(newest_first[i - 1]->seq, newest_first[i]->seq);
  auto oldest_first = m.events_since(0, SIZE_MAX);
  ASSERT_EQ(oldest_first.size(), newest_first.size());
  for (size_t i = 0; i < oldest_first.size(); ++i) EXPECT_EQ(oldest_first[i], newest_first[newest_first.size() - 1 - i]);
  // Found by seq (a child's last crash), and as the node's recent incidents, oldest first.
  EXPECT_EQ(m.event(billing_crashes[0]->seq), billing_crashes[0]);
  size_t budget = 10;  // far less than the shared ring: the kept ones need no scan
  auto recent = m.recent_incidents(billing, 10, budget);
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent[0]->actor, 1u);
  EXPECT_EQ(recent[2]->actor, 3u);
  EXPECT_EQ(budget, 0u) << "the scan of the shared ring stops at the budget";
}

}  // namespace
}  // namespace actorscope::collector
