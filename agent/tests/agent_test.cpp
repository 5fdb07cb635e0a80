// The agent end to end against a fake collector: what a runtime records is what arrives.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "actorscope/agent.h"
#include "actorscope/agent.hpp"
#include "fake_collector.hpp"
#include "loopback.hpp"

using actorscope::testing::FakeCollector;
using actorscope::testing::Seen;
using actorscope::testing::TempDir;

namespace {

actorscope_config fast_config(const std::string& address) {
  actorscope_config c;
  actorscope_config_init(&c);
  c.collector = address.c_str();
  c.node = "orders@test";
  c.flush_ms = 20;
  c.backoff_min_ms = 20;
  c.backoff_max_ms = 200;
  return c;
}

actorscope_actor* spawn(const char* type, uint64_t parent = 0, const char* name = nullptr,
                        actorscope_kind kind = ACTORSCOPE_WORKER) {
  actorscope_spawn_info i{};
  i.type = type;
  i.parent_id = parent;
  i.name = name;
  i.kind = kind;
  return actorscope_spawn(&i);
}

class AgentTest : public ::testing::Test {
 protected:
  void TearDown() override { actorscope_stop(); }
};

}  // namespace

TEST_F(AgentTest, HandshakeCarriesIdentityAndStopSaysGoodbye) {
  TempDir dir;
  std::string token_file = dir.file("token");
  std::ofstream(token_file) << "s3cret\n";
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  c.token_file = token_file.c_str();
  ASSERT_EQ(actorscope_start(&c), 0);
  EXPECT_EQ(actorscope_enabled(), 1);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.snapshots_ended >= 1; }));
  actorscope_stop();
  EXPECT_EQ(actorscope_enabled(), 0);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.goodbyes >= 1; }));
  Seen s = fc.seen();
  ASSERT_EQ(s.hellos.size(), 1u);
  const auto& h = s.hellos[0];
  EXPECT_EQ(h.role, actorscope::proto::Role::Agent);
  EXPECT_EQ(h.token, "s3cret");
  EXPECT_EQ(h.node, "orders@test");
  EXPECT_EQ(h.pid, static_cast<uint64_t>(getpid()));
  EXPECT_NE(h.incarnation, 0u);
  EXPECT_FALSE(h.host.empty());
  EXPECT_FALSE(h.program.empty());
  EXPECT_GT(h.anchor_wall_ns, 0u);
  EXPECT_TRUE(s.errors.empty()) << s.errors.front();
}

TEST_F(AgentTest, LifecycleRecordsArriveWithTheirStrings) {
  FakeCollector fc(FakeCollector::Transport::Tcp);
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);

  actorscope_spawn_info si{};
  si.type = "root_sup";
  si.name = "root";
  si.kind = ACTORSCOPE_SUPERVISOR;
  si.strategy = ACTORSCOPE_REST_FOR_ONE;
  si.intensity = 3;
  si.period_ms = 5000;
  actorscope_actor* sup = actorscope_spawn(&si);
  ASSERT_NE(sup, nullptr);
  actorscope_spawn_info wi{};
  wi.type = "parser";
  wi.parent_id = actorscope_actor_id(sup);
  wi.child_id = "parser";
  wi.restart = ACTORSCOPE_TRANSIENT;
  actorscope_actor* w1 = actorscope_spawn(&wi);
  actorscope_actor* w2 = actorscope_spawn(&wi);
  ASSERT_NE(w1, nullptr);
  actorscope_link(actorscope_actor_id(w1), actorscope_actor_id(sup), ACTORSCOPE_MONITOR);
  actorscope_exit(w1, ACTORSCOPE_EXIT_ERROR, "bad input");
  actorscope_child_restarted(sup, "parser", actorscope_actor_id(w1), actorscope_actor_id(w2), ACTORSCOPE_EXIT_ERROR,
                             "bad input");
  actorscope_measurement m[] = {{"rows", 12}};
  actorscope_meta md[] = {{"table", "users"}};
  actorscope_telemetry_execute("my_app.repo.query", m, 1, md, 1, w2);

  uint64_t sup_id = actorscope_actor_id(sup), w1_id = actorscope_actor_id(w1), w2_id = actorscope_actor_id(w2);
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) {
    return s.exits.count(w1_id) && !s.restarts.empty() && !s.links.empty() && !s.telemetry.empty() &&
           s.stats.count(sup_id) && s.stats.at(sup_id).restarts == 1;
  }));
  Seen s = fc.seen();
  EXPECT_TRUE(s.errors.empty()) << s.errors.front();
  ASSERT_TRUE(s.actors.count(sup_id));
  const auto& sa = s.actors.at(sup_id);
  EXPECT_EQ(sa.type, "root_sup");
  EXPECT_EQ(sa.name, "root");
  EXPECT_EQ(sa.spawned.kind, actorscope::proto::ActorKind::Supervisor);
  EXPECT_EQ(sa.spawned.strategy, actorscope::proto::Strategy::RestForOne);
  EXPECT_EQ(sa.spawned.intensity, 3u);
  EXPECT_EQ(sa.spawned.period_ms, 5000u);
  const auto& wa = s.actors.at(w2_id);
  EXPECT_EQ(wa.spawned.parent, sup_id);
  EXPECT_EQ(wa.child_id, "parser");
  EXPECT_EQ(wa.spawned.restart, actorscope::proto::RestartType::Transient);
  EXPECT_EQ(s.exits.at(w1_id).exited.reason, actorscope::proto::ExitReason::Error);
  EXPECT_EQ(s.exits.at(w1_id).text, "bad input");
  EXPECT_FALSE(s.exits.count(w2_id));
  EXPECT_EQ(s.restarts[0].restart.supervisor, sup_id);
  EXPECT_EQ(s.restarts[0].restart.old_actor, w1_id);
  EXPECT_EQ(s.restarts[0].restart.new_actor, w2_id);
  EXPECT_EQ(s.restarts[0].child_id, "parser");
  EXPECT_EQ(s.restarts[0].text, "bad input");
  EXPECT_EQ(s.links[0].a, w1_id);
  EXPECT_EQ(s.links[0].op, actorscope::proto::LinkOp::Monitor);
  EXPECT_EQ(s.telemetry[0].event, "my_app.repo.query");
  EXPECT_EQ(s.telemetry[0].actor, w2_id);
  EXPECT_EQ(s.telemetry[0].measurements.at("rows"), 12);
  EXPECT_EQ(s.telemetry[0].metadata.at("table"), "users");
}

TEST_F(AgentTest, StatsAreCumulativeAndExact) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  actorscope_actor* a = spawn("counter");
  uint64_t id = actorscope_actor_id(a);
  for (int i = 0; i < 1000; ++i) actorscope_enqueue(a);
  uint64_t t = actorscope_process_begin(a);
  for (int i = 0; i < 600; ++i) {
    actorscope_dequeue(a);
    t = actorscope_process_end(a, t);
  }
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.stats.count(id) && s.stats.at(id).dequeued == 600; }));
  auto st = fc.seen().stats.at(id);
  EXPECT_EQ(st.enqueued, 1000u);
  EXPECT_EQ(st.mailbox, 400u);
  uint64_t processed = 0;
  for (auto h : st.hist) processed += h;
  EXPECT_EQ(processed, 600u);

  // More traffic later: the counters keep counting from where they were.
  for (int i = 0; i < 400; ++i) actorscope_dequeue(a);
  actorscope_mailbox_depth(a, 7);  // an exact depth from the runtime wins over the estimate
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.stats.at(id).dequeued == 1000; }));
  st = fc.seen().stats.at(id);
  EXPECT_EQ(st.enqueued, 1000u);
  EXPECT_EQ(st.mailbox, 7u);
}

TEST_F(AgentTest, EnqueuesFromManyThreadsAreCountedExactly) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  actorscope_actor* a = spawn("sink");
  uint64_t id = actorscope_actor_id(a);
  constexpr int kThreads = 4, kEach = 100000;
  std::vector<std::thread> senders;
  for (int t = 0; t < kThreads; ++t)
    senders.emplace_back([a] {
      for (int i = 0; i < kEach; ++i) actorscope_enqueue(a);
    });
  for (auto& t : senders) t.join();
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) {
    return s.stats.count(id) && s.stats.at(id).enqueued == uint64_t(kThreads) * kEach;
  })) << "last enqueued: " << fc.seen().stats[id].enqueued;
}

TEST_F(AgentTest, RingOverflowCountsEveryDrop) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  c.ring_bytes = 1024;
  c.flush_ms = 60000;  // only the half-full wake-up and stop flush
  actorscope_stats before;
  actorscope_get_stats(&before);
  ASSERT_EQ(actorscope_start(&c), 0);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.snapshots_ended >= 1; }));
  constexpr uint64_t kEvents = 5000;
  std::thread app([] {
    actorscope_measurement m[] = {{"n", 1}};
    for (uint64_t i = 0; i < kEvents; ++i) actorscope_telemetry_execute("load.tick", m, 1, nullptr, 0, nullptr);
  });
  app.join();
  actorscope_stop();  // final flush: everything kept is sent, with the final drop counts
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.goodbyes >= 1; }));
  Seen s = fc.seen();
  uint64_t dropped = s.dropped.counts[size_t(actorscope::proto::DropKind::Telemetry)] - before.dropped[2];
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(s.telemetry.size() + dropped, kEvents);
  actorscope_stats st;
  actorscope_get_stats(&st);
  EXPECT_EQ(st.dropped[2] - before.dropped[2], dropped);
}

TEST_F(AgentTest, ExitsAreNeverLostEvenWithFullRings) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  c.ring_bytes = 1024;
  ASSERT_EQ(actorscope_start(&c), 0);
  std::vector<uint64_t> ids;
  static int run = 0;  // per-type totals live as long as the process: one type per run
  std::string type = "short_lived_" + std::to_string(run++);
  std::thread app([&] {
    actorscope_measurement m[] = {{"n", 1}};
    for (int i = 0; i < 200; ++i) {
      for (int k = 0; k < 50; ++k) actorscope_telemetry_execute("flood", m, 1, nullptr, 0, nullptr);
      actorscope_actor* a = spawn(type.c_str());
      ids.push_back(actorscope_actor_id(a));
      actorscope_exit(a, ACTORSCOPE_EXIT_KILLED, nullptr);
    }
  });
  app.join();
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.exits.size() == ids.size(); }));
  Seen s = fc.seen();
  for (uint64_t id : ids) EXPECT_EQ(s.exits.at(id).exited.reason, actorscope::proto::ExitReason::Killed);
  EXPECT_GT(s.dropped.counts[size_t(actorscope::proto::DropKind::Telemetry)], 0u);
  ASSERT_TRUE(fc.wait_for([&](const Seen& now) { return now.totals.count(type) && now.totals.at(type).exited == 200; }));
  EXPECT_EQ(fc.seen().totals.at(type).spawned, 200u);
}

TEST_F(AgentTest, ReconnectsByItselfAndSendsAFullSnapshot) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  std::vector<uint64_t> live;
  for (int i = 0; i < 10; ++i) live.push_back(actorscope_actor_id(spawn("worker")));
  actorscope_actor* gone = spawn("worker");
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.actors.count(actorscope_actor_id(gone)) == 1; }));
  actorscope_exit(gone, ACTORSCOPE_EXIT_NORMAL, nullptr);
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.exits.size() == 1; }));

  fc.drop_connection();
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.connections >= 2 && s.snapshots_ended >= 2; }));
  Seen s = fc.seen();
  EXPECT_EQ(s.hellos[0].incarnation, s.hellos[1].incarnation);  // same process run
  EXPECT_EQ(s.last_snapshot_announced, s.last_snapshot_actors.size());
  for (uint64_t id : live) EXPECT_EQ(s.last_snapshot_actors.count(id), 1u);
  EXPECT_EQ(s.last_snapshot_actors.count(actorscope_actor_id(gone)), 0u);
  EXPECT_TRUE(s.errors.empty()) << s.errors.front();
}

// A collector that reads slowly but steadily (busy, a loaded machine) keeps its agent: the
// reconnect's snapshot, several MB here, takes longer than the send timeout in all, but each
// part of it is taken well within it. (The timeout once covered a whole flush: such a
// snapshot failed, the agent reconnected and sent it again, and never got through.)
TEST_F(AgentTest, ASlowCollectorKeepsItsAgentThroughALongSnapshot) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.snapshots_ended >= 1; }));
  constexpr size_t kActors = 20000;  // about 0.9 MB of snapshot: 4 s at the pace below
  for (size_t i = 0; i < kActors; ++i) spawn("a-worker-type-name-of-some-length", 0, "a-worker-of-the-pool");
  // All of them reported live first: the next connection's snapshot then holds every one.
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.actors.size() >= kActors; }));
  fc.read_slowly(16 * 1024, std::chrono::milliseconds(80));  // 200 KB/s
  fc.drop_connection();
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.snapshots_ended >= 2; }, std::chrono::seconds(45)))
      << fc.seen().last_snapshot_actors.size() << " actors of the snapshot arrived over " << fc.seen().connections
      << " connections";
  Seen s = fc.seen();
  EXPECT_EQ(s.connections, 2) << "the agent gave the slow collector up";
  EXPECT_EQ(s.last_snapshot_actors.size(), kActors);
  EXPECT_TRUE(s.errors.empty()) << s.errors.front();
}

TEST_F(AgentTest, WithoutACollectorHooksWorkAndStateStaysBounded) {
  TempDir dir;
  std::string path = dir.file("later.sock");
  std::string address = "unix:" + path;
  actorscope_config c = fast_config(address);
  c.memory_budget = 1 << 20;
  actorscope_stats before;
  actorscope_get_stats(&before);
  ASSERT_EQ(actorscope_start(&c), 0);
  std::vector<actorscope_actor*> actors;
  for (int i = 0; i < 1000; ++i) actors.push_back(spawn("worker"));
  actorscope_measurement m[] = {{"n", 1}};
  for (int round = 0; round < 100; ++round)
    for (actorscope_actor* a : actors) {
      actorscope_enqueue(a);
      actorscope_telemetry_execute("tick", m, 1, nullptr, 0, a);
    }
  actorscope_stats st;
  actorscope_get_stats(&st);
  EXPECT_EQ(st.live_actors - before.live_actors, 1000u);
  EXPECT_EQ(st.connected, 0u);
  // Cells (128 B each, in slabs of 4096) plus the fixed budget: no backlog is kept.
  EXPECT_LE(st.agent_bytes, (st.live_actors / 4096 + 1) * 4096u * 128u + (1u << 20));

  // The collector comes up later: the agent finds it and sends every live actor.
  FakeCollector fc(FakeCollector::Transport::Unix, path);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.snapshots_ended >= 1; }));
  // Telemetry recorded while disconnected was not kept: it is counted as dropped.
  uint64_t dropped_before = before.dropped[2];
  EXPECT_TRUE(fc.wait_for([&](const Seen& s) {
    return s.dropped.counts[2] - dropped_before + s.telemetry.size() == 100000u;
  })) << "dropped " << fc.seen().dropped.counts[2] - dropped_before << " + sent " << fc.seen().telemetry.size();
  Seen s = fc.seen();
  EXPECT_GT(s.dropped.counts[2], dropped_before);
  EXPECT_EQ(s.last_snapshot_announced, s.last_snapshot_actors.size());
  // Each live actor is in the snapshot, or (spawned while the handshake ran) right after it.
  for (actorscope_actor* a : actors) EXPECT_EQ(s.actors.count(actorscope_actor_id(a)), 1u);
  ASSERT_TRUE(fc.wait_for([&](const Seen& now) { return now.stats.count(actorscope_actor_id(actors[0])) == 1; }));
  EXPECT_EQ(fc.seen().stats.at(actorscope_actor_id(actors[0])).enqueued, 100u);
}

TEST_F(AgentTest, RejectedAgentRetriesAndTheAppRunsOn) {
  FakeCollector fc;
  fc.reject_with("bad token");
  actorscope_config c = fast_config(fc.address());
  actorscope_stats before;
  actorscope_get_stats(&before);
  ASSERT_EQ(actorscope_start(&c), 0);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.connections >= 2; }));
  actorscope_actor* a = spawn("worker");
  EXPECT_NE(a, nullptr);
  actorscope_enqueue(a);
  actorscope_stats st;
  actorscope_get_stats(&st);
  EXPECT_EQ(st.connects, before.connects);
  EXPECT_EQ(st.connected, 0u);
}

TEST_F(AgentTest, KillSwitchMakesSpawnReturnNull) {
  setenv("ACTORSCOPE_DISABLE", "1", 1);
  int rc = actorscope_start(nullptr);
  unsetenv("ACTORSCOPE_DISABLE");
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(actorscope_enabled(), 0);
  actorscope_actor* a = spawn("worker");
  EXPECT_EQ(a, nullptr);
  // Every hook accepts the NULL handle.
  actorscope_enqueue(a);
  actorscope_dequeue(a);
  actorscope_process_end(a, actorscope_process_begin(a));
  actorscope_exit(a, ACTORSCOPE_EXIT_NORMAL, nullptr);
  actorscope_child_restarted(a, "x", 1, 2, ACTORSCOPE_EXIT_ERROR, nullptr);
  actorscope_telemetry_execute("e", nullptr, 0, nullptr, 0, a);
  EXPECT_EQ(actorscope_actor_id(a), 0u);
}

TEST_F(AgentTest, BadAddressFailsStartWithOneLine) {
  actorscope_config c;
  actorscope_config_init(&c);
  c.collector = "http://localhost:9000";
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(actorscope_start(&c), -1);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("expected tcp:HOST:PORT or unix:PATH"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
  EXPECT_EQ(actorscope_enabled(), 0);
  EXPECT_EQ(spawn("worker"), nullptr);
}

TEST_F(AgentTest, UnreadableTokenFileFailsStart) {
  actorscope_config c;
  actorscope_config_init(&c);
  c.token_file = "/nonexistent/actorscope/token";
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(actorscope_start(&c), -1);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("cannot read token file"), std::string::npos) << err;
  EXPECT_EQ(actorscope_enabled(), 0);
}

TEST_F(AgentTest, StartAfterStopIsAReconnectOfTheSameIncarnationThatKeepsLiveActors) {
  // The same process: its actors and counters carry on. A new incarnation would make the
  // collector count the survivor's exit (reason unknown) and its spawn a second time.
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  actorscope_actor* a = spawn("survivor");
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.actors.count(actorscope_actor_id(a)) == 1; }));
  actorscope_stop();
  actorscope_stop();  // twice is harmless
  actorscope_enqueue(a);  // a late hook on a stopped agent is harmless too
  ASSERT_EQ(actorscope_start(&c), 0);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.snapshots_ended >= 2; }));
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.stats.at(actorscope_actor_id(a)).enqueued == 1; }));
  Seen s = fc.seen();
  ASSERT_EQ(s.hellos.size(), 2u);
  EXPECT_EQ(s.hellos[0].incarnation, s.hellos[1].incarnation);
  EXPECT_EQ(s.last_snapshot_actors.count(actorscope_actor_id(a)), 1u);
  // No totals for a type nothing was spawned of (the all-zero "unknown" series).
  for (const auto& [type, totals] : s.totals) EXPECT_GT(totals.spawned, 0u) << "type '" << type << "'";
}

TEST_F(AgentTest, ExitedCellIsQuarantinedBeforeReuse) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  actorscope_stats before;
  actorscope_get_stats(&before);
  actorscope_actor* a = spawn("worker");
  actorscope_exit(a, ACTORSCOPE_EXIT_NORMAL, nullptr);
  actorscope_enqueue(a);  // late message from another actor: harmless
  actorscope_actor* b = spawn("worker");
  EXPECT_NE(a, b);  // not reused before its exit was reported and two flushes passed
  actorscope_stats st;
  actorscope_get_stats(&st);
  EXPECT_EQ(st.live_actors - before.live_actors, 1u);
}

TEST_F(AgentTest, CxxApiSpansAndScopes) {
  FakeCollector fc;
  actorscope::Config cfg;
  cfg.collector = fc.address();
  cfg.flush_ms = 20;
  {
    actorscope::Agent agent(cfg);
    ASSERT_TRUE(agent.ok());
    auto sup = actorscope::Actor::spawn(
        actorscope::SpawnInfo("pool_sup").name("pool").supervisor(actorscope::Strategy::OneForAll, 5, 1000));
    auto w = actorscope::Actor::spawn(actorscope::SpawnInfo("conn").parent(sup).child_id("c1"));
    ASSERT_TRUE(w);
    w.enqueue();
    w.dequeue();
    { actorscope::ProcessingScope busy(w); }
    int r = actorscope::telemetry::span("db.query", {{"table", "users"}}, [] { return 42; }, w);
    EXPECT_EQ(r, 42);
    EXPECT_THROW(actorscope::telemetry::span("db.query", {}, [] { throw std::runtime_error("timeout"); }),
                 std::runtime_error);
    actorscope::telemetry::execute("db.pool.size", {{"idle", 3}, {"busy", 1}});
    ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.telemetry.size() == 5 && s.stats.count(w.id()); }));
    Seen s = fc.seen();
    EXPECT_EQ(s.actors.at(w.id()).spawned.parent, sup.id());
    EXPECT_EQ(s.actors.at(sup.id()).spawned.strategy, actorscope::proto::Strategy::OneForAll);
    EXPECT_EQ(s.telemetry[0].event, "db.query.start");
    EXPECT_EQ(s.telemetry[0].metadata.at("table"), "users");
    EXPECT_EQ(s.telemetry[1].event, "db.query.stop");
    EXPECT_TRUE(s.telemetry[1].measurements.count("duration"));
    EXPECT_EQ(s.telemetry[3].event, "db.query.exception");
    EXPECT_EQ(s.telemetry[3].metadata.at("reason"), "timeout");
    EXPECT_EQ(s.telemetry[3].metadata.at("kind"), "error");
    EXPECT_EQ(s.telemetry[4].measurements.at("idle"), 3);
  }
  EXPECT_FALSE(actorscope::Agent::enabled());
}

TEST_F(AgentTest, RingsOfExitedThreadsAreDrainedThenFreed) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  actorscope_measurement m[] = {{"n", 1}};
  actorscope_telemetry_execute("thread.done", m, 1, nullptr, 0, nullptr);  // interns the strings
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.telemetry.size() == 1; }));
  actorscope_stats before;
  actorscope_get_stats(&before);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([] {
      actorscope_measurement done[] = {{"n", 1}};
      actorscope_telemetry_execute("thread.done", done, 1, nullptr, 0, nullptr);
    });
  for (auto& t : threads) t.join();
  // Each thread's last record still arrives after the thread is gone ...
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.telemetry.size() == 9; }));
  // ... and its ring goes back to the memory budget.
  actorscope_stats after;
  for (int i = 0; i < 3000; ++i) {
    actorscope_get_stats(&after);
    if (after.agent_bytes <= before.agent_bytes) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LE(after.agent_bytes, before.agent_bytes);
}

TEST_F(AgentTest, ThreadsBeyondTheMemoryBudgetCountTheirRecordsAsDropped) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  c.memory_budget = 4096;  // smaller than one ring: no thread gets one
  actorscope_stats before;
  actorscope_get_stats(&before);
  ASSERT_EQ(actorscope_start(&c), 0);
  std::thread app([] {
    for (int i = 0; i < 10; ++i) actorscope_link(1, 2, ACTORSCOPE_LINK);
  });
  app.join();
  actorscope_stats st;
  actorscope_get_stats(&st);
  EXPECT_EQ(st.dropped[1] - before.dropped[1], 10u);
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.dropped.counts[1] - before.dropped[1] == 10u; }));
  EXPECT_TRUE(fc.seen().links.empty());
}

TEST_F(AgentTest, StringsOverTheCapAreSentEmptyAndCounted) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  c.max_strings = 1;
  ASSERT_EQ(actorscope_start(&c), 0);
  static int run = 0;
  std::string filler = "filler_" + std::to_string(run);
  spawn("worker", 0, filler.c_str());  // takes the one slot, if still free
  actorscope_stats before;
  actorscope_get_stats(&before);
  std::vector<uint64_t> ids;
  for (int i = 0; i < 5; ++i) {
    std::string name = "capped_" + std::to_string(run) + "_" + std::to_string(i);
    ids.push_back(actorscope_actor_id(spawn("worker", 0, name.c_str())));
  }
  ++run;
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.actors.count(ids.back()) == 1; }));
  actorscope_stats st;
  actorscope_get_stats(&st);
  EXPECT_GE(st.dropped[4] - before.dropped[4], 5u);
  Seen s = fc.seen();
  for (uint64_t id : ids) EXPECT_EQ(s.actors.at(id).name, "");
  ASSERT_TRUE(fc.wait_for([&](const Seen& now) { return now.dropped.counts[4] >= st.dropped[4]; }));
}

// A crash reason is usually unique (a pid, a value, a stack): the agent sends it inline and
// forgets it, so distinct reasons neither fill its string table nor the collector's.
TEST_F(AgentTest, DistinctReasonTextsAreSentInlineAndTakeNoStringSlots) {
  FakeCollector fc;
  actorscope_config c = fast_config(fc.address());
  ASSERT_EQ(actorscope_start(&c), 0);
  ASSERT_TRUE(fc.wait_for([](const Seen& s) { return s.snapshots_ended >= 1; }));
  actorscope_stats before;
  actorscope_get_stats(&before);
  actorscope_actor* sup = spawn("reason_sup", 0, "reason_root", ACTORSCOPE_SUPERVISOR);
  std::vector<uint64_t> ids;
  std::vector<std::string> reasons;
  for (int i = 0; i < 300; ++i) {
    actorscope_actor* w = spawn("reason_worker", actorscope_actor_id(sup));
    ids.push_back(actorscope_actor_id(w));
    reasons.push_back("{badmatch,{error," + std::to_string(1000 + i) + "}}");
    actorscope_exit(w, ACTORSCOPE_EXIT_ERROR, reasons.back().c_str());
    if (i % 10 == 0)
      actorscope_child_restarted(sup, "reason_worker", ids.back(), 0, ACTORSCOPE_EXIT_ERROR, reasons.back().c_str());
  }
  ASSERT_TRUE(fc.wait_for([&](const Seen& s) { return s.exits.count(ids.back()) == 1 && s.restarts.size() >= 30; }));
  Seen s = fc.seen();
  EXPECT_TRUE(s.errors.empty()) << s.errors.front();
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto& e = s.exits.at(ids[i]);
    EXPECT_EQ(e.text, reasons[i]);
    EXPECT_TRUE(e.inline_text);
    EXPECT_EQ(e.exited.reason_text, 0u);
  }
  size_t restarts_seen = 0;
  for (const auto& r : s.restarts) {
    if (r.restart.supervisor != actorscope_actor_id(sup)) continue;
    ++restarts_seen;
    EXPECT_TRUE(r.inline_text);
    EXPECT_EQ(r.text.rfind("{badmatch,{error,", 0), 0u) << r.text;
  }
  EXPECT_EQ(restarts_seen, 30u);
  for (const std::string& d : s.string_defs) EXPECT_EQ(d.find("badmatch"), std::string::npos) << d;
  actorscope_stats st;
  actorscope_get_stats(&st);
  EXPECT_EQ(st.dropped[4], before.dropped[4]);  // no string was refused
}
