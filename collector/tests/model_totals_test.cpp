// Unit tests of the agent's cumulative totals in a snapshot: a model that did not see the
// agent's past (the collector restarted) adopts them; one that did counts nothing twice.
#include <gtest/gtest.h>

#include <numeric>

#include "actorscope/collector/model.hpp"
#include "stream.hpp"

namespace actorscope::collector {
namespace {

using proto::ExitReason;
using testing::Stream;

constexpr uint64_t kSecond = 1'000'000'000;

const TypeAggregate* type_of(const Model& m, NodeKey n, std::string_view type) {
  for (const TypeAggregate& t : m.types(n))
    if (m.text(t.type) == type) return &t;
  return nullptr;
}
uint64_t by_label(const Model& m, std::span<const std::pair<Str, uint64_t>> rows, std::string_view label) {
  for (const auto& [l, n] : rows)
    if (m.text(l) == label) return n;
  return 0;
}
uint64_t telemetry_count(const Model& m, NodeKey n, std::string_view event) {
  for (const TelemetryStats& t : m.telemetry(n))
    if (m.text(t.event) == event) return t.count;
  return 0;
}

// What an agent that ran for a while says in its snapshot: 2 live workers and a live
// supervisor; its past in totals.
struct AgentPast {
  std::array<uint64_t, proto::kExitReasonCount> exits{};  // of type "w", by reason
  uint64_t spawned = 0;
  uint64_t restarts = 0, escalations = 0;  // of supervisor "pool"
  uint64_t telemetry = 0;                  // of "app.req.stop"
  uint64_t processed_by_exited = 0;

  void snapshot(Stream& s, uint64_t id, uint64_t live_sup_restarts) const {
    s.add(proto::SnapshotBegin{id, 3});
    s.spawn(1, 0, "sup", "pool", proto::ActorKind::Supervisor, "", 3, 5000);
    s.stats(1, 0, 0, 0, 0, {}, live_sup_restarts);
    s.spawn(2, 1, "w", "", proto::ActorKind::Worker, "c1").stats(2, 0, 10, 10, 0, {10});
    s.spawn(3, 1, "w", "", proto::ActorKind::Worker, "c2").stats(3, 0, 5, 5, 0, {5});
    proto::TypeTotals tt;
    tt.type = s.str("w");
    tt.spawned = spawned;
    tt.exited = std::accumulate(exits.begin(), exits.end(), uint64_t{0});
    tt.hist[0] = processed_by_exited;
    tt.has_exited_by_reason = true;
    tt.exited_by_reason = exits;
    s.add(tt);
    s.add(proto::SupervisorTotals{s.str("pool"), restarts, escalations});
    s.add(proto::TelemetryTotals{s.str("app.req.stop"), telemetry});
    s.add(proto::SnapshotEnd{id});
  }
};

AgentPast past() {
  AgentPast p;
  p.exits[static_cast<size_t>(ExitReason::Error)] = 88;
  p.exits[static_cast<size_t>(ExitReason::Shutdown)] = 170;
  p.exits[static_cast<size_t>(ExitReason::Normal)] = 91;
  p.spawned = 2 + 88 + 170 + 91;  // the live ones and the exited ones
  p.restarts = 88 + 170;
  p.escalations = 2;
  p.telemetry = 1500;
  p.processed_by_exited = 4000;
  return p;
}

TEST(ModelTotals, ARestartedCollectorResumesTheAgentsTotals) {
  Model m;
  m.set_now(kSecond);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  AgentPast p = past();
  Stream s;
  p.snapshot(s, 1, 7);
  ASSERT_TRUE(s.apply(m, n).ok);

  const TypeAggregate* w = type_of(m, n, "w");
  ASSERT_NE(w, nullptr);
  for (size_t r = 0; r < proto::kExitReasonCount; ++r) EXPECT_EQ(w->exits_by_reason[r], p.exits[r]) << r;
  uint64_t exits = std::accumulate(p.exits.begin(), p.exits.end(), uint64_t{0});
  EXPECT_EQ(w->exits.value(), exits);
  EXPECT_EQ(w->spawns.value(), p.spawned);
  EXPECT_EQ(w->spawns.value() - w->exits.value(), w->live_total()) << "spawns - exits reads the live actors";
  EXPECT_EQ(by_label(m, m.restarts_by_supervisor(n), "pool"), p.restarts);
  EXPECT_EQ(by_label(m, m.escalations_by_supervisor(n), "pool"), p.escalations);
  EXPECT_EQ(telemetry_count(m, n, "app.req.stop"), p.telemetry);
  EXPECT_EQ(m.node(n)->crashes, p.exits[static_cast<size_t>(ExitReason::Error)]);
  EXPECT_EQ(w->processed(), p.processed_by_exited + 10 + 5);

  // The adopted past is no burst: the first rate window sees none of it.
  m.tick(2 * kSecond);
  auto series = m.series(n, 1);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].restarts_per_s, 0.0f);
  EXPECT_EQ(series[0].crashes_per_s, 0.0f);
  EXPECT_EQ(series[0].telemetry_per_s, 0.0f);
  EXPECT_EQ(series[0].messages_per_s, 0.0f);
  for (const TelemetryStats& t : m.telemetry(n)) EXPECT_EQ(t.rate, 0.0) << m.text(t.event);

  // What happens next counts on top.
  s.restart(1, "c1", 2, 4).exit(2, ExitReason::Error).spawn(4, 1, "w", "", proto::ActorKind::Worker, "c1");
  s.stats(1, 0, 0, 0, 0, {}, 8);
  // The agent sends a type's totals in the flush of its exits.
  AgentPast after = p;
  ++after.exits[static_cast<size_t>(ExitReason::Error)];
  proto::TypeTotals tt;
  tt.type = s.str("w");
  tt.spawned = p.spawned + 1;
  tt.exited = std::accumulate(after.exits.begin(), after.exits.end(), uint64_t{0});
  tt.hist[0] = p.processed_by_exited + 10;
  tt.has_exited_by_reason = true;
  tt.exited_by_reason = after.exits;
  s.add(tt);
  ASSERT_TRUE(s.apply(m, n).ok);
  EXPECT_EQ(by_label(m, m.restarts_by_supervisor(n), "pool"), p.restarts + 1);
  EXPECT_EQ(type_of(m, n, "w")->exits_by_reason[static_cast<size_t>(ExitReason::Error)],
            p.exits[static_cast<size_t>(ExitReason::Error)] + 1);
}

TEST(ModelTotals, AReconnectToTheSameModelCountsNothingTwice) {
  Model m;
  m.set_now(kSecond);
  NodeKey n = m.on_hello(1, testing::hello("a"));
  Stream s;
  s.spawn(1, 0, "sup", "pool", proto::ActorKind::Supervisor, "", 3, 5000);
  s.spawn(2, 1, "w", "", proto::ActorKind::Worker, "c1").spawn(3, 1, "w", "", proto::ActorKind::Worker, "c2");
  s.spawn(5, 1, "w", "", proto::ActorKind::Worker, "c3");
  // Seen live: 3 crashes and their restarts, 4 telemetry events.
  for (uint64_t i = 0; i < 3; ++i)
    s.exit(10 + i, ExitReason::Error).restart(1, "c9", 10 + i, 20 + i);
  for (uint64_t i = 10; i < 13; ++i) s.spawn(i, 1, "w");  // (spawned before they exit, in a real stream)
  proto::Telemetry t;
  t.event = s.str("app.req.stop");
  for (int i = 0; i < 4; ++i) s.add(t);
  s.stats(1, 0, 0, 0, 0, {}, 3);
  ASSERT_TRUE(s.apply(m, n).ok);
  m.on_disconnect(n, 1);

  // While disconnected: actor 5 crashed and was not restarted, 2 telemetry events.
  m.on_hello(2, testing::hello("a"));
  s.reset_strings();
  s.add(proto::SnapshotBegin{1, 3});
  s.spawn(1, 0, "sup", "pool", proto::ActorKind::Supervisor, "", 3, 5000).stats(1, 0, 0, 0, 0, {}, 3);
  s.spawn(2, 1, "w", "", proto::ActorKind::Worker, "c1").spawn(3, 1, "w", "", proto::ActorKind::Worker, "c2");
  proto::TypeTotals tt;
  tt.type = s.str("w");
  tt.has_exited_by_reason = true;
  tt.exited_by_reason[static_cast<size_t>(ExitReason::Error)] = 1;  // the agent's own counts
  tt.exited = 1;
  tt.spawned = 3;
  s.add(tt);
  s.add(proto::SupervisorTotals{s.str("pool"), 3, 0});
  s.add(proto::TelemetryTotals{s.str("app.req.stop"), 4 + 2});
  s.add(proto::SnapshotEnd{1});
  ASSERT_TRUE(s.apply(m, n).ok);

  const TypeAggregate* w = type_of(m, n, "w");
  ASSERT_NE(w, nullptr);
  // The exits of the ids 10..12 were seen before their spawns here: unknown actors, not
  // counted per type. The one exit of type w the agent counts is actor 5's.
  EXPECT_EQ(w->exits_by_reason[static_cast<size_t>(ExitReason::Error)], 1u);
  EXPECT_EQ(w->exits_by_reason[static_cast<size_t>(ExitReason::Unknown)], 0u)
      << "the agent told the reason of the exit this model did not see";
  EXPECT_EQ(by_label(m, m.restarts_by_supervisor(n), "pool"), 3u);
  EXPECT_EQ(telemetry_count(m, n, "app.req.stop"), 6u);
  EXPECT_EQ(m.node(n)->restarts, 3u);
}

TEST(ModelTotals, ASecondSnapshotOfTheSameTotalsChangesNothing) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a"));
  AgentPast p = past();
  Stream s;
  p.snapshot(s, 1, 7);
  ASSERT_TRUE(s.apply(m, n).ok);
  m.on_disconnect(n, 1);
  m.on_hello(2, testing::hello("a"));
  s.reset_strings();
  p.snapshot(s, 2, 7);
  ASSERT_TRUE(s.apply(m, n).ok);
  const TypeAggregate* w = type_of(m, n, "w");
  for (size_t r = 0; r < proto::kExitReasonCount; ++r) EXPECT_EQ(w->exits_by_reason[r], p.exits[r]) << r;
  EXPECT_EQ(by_label(m, m.restarts_by_supervisor(n), "pool"), p.restarts);
  EXPECT_EQ(by_label(m, m.escalations_by_supervisor(n), "pool"), p.escalations);
  EXPECT_EQ(telemetry_count(m, n, "app.req.stop"), p.telemetry);
  EXPECT_EQ(m.node(n)->crashes, p.exits[static_cast<size_t>(ExitReason::Error)]);
}

TEST(ModelTotals, ANewIncarnationAddsItsTotalsToTheOldOnes) {
  Model m;
  NodeKey n = m.on_hello(1, testing::hello("a", 1));
  AgentPast p = past();
  Stream s;
  p.snapshot(s, 1, 7);
  ASSERT_TRUE(s.apply(m, n).ok);
  m.on_disconnect(n, 1);
  m.on_hello(2, testing::hello("a", 2));  // the app restarted: its 3 live actors died with it
  s.reset_strings();
  p.snapshot(s, 1, 7);
  ASSERT_TRUE(s.apply(m, n).ok);
  const TypeAggregate* w = type_of(m, n, "w");
  EXPECT_EQ(w->exits_by_reason[static_cast<size_t>(ExitReason::Error)], 2 * p.exits[static_cast<size_t>(ExitReason::Error)]);
  EXPECT_EQ(w->exits_by_reason[static_cast<size_t>(ExitReason::Unknown)], 2u) << "the old process's 2 live workers";
  uint64_t sum = 0;
  for (uint64_t c : w->exits_by_reason) sum += c;
  EXPECT_EQ(sum, w->exits.value());
}

}  // namespace
}  // namespace actorscope::collector
