// The records a CAF app produces reach a collector: supervisors and workers with their
// place in the tree, and a child-restarted record (child id, old and new actor, reason);
// a child's exit before what its supervisor did about it.
#include <gtest/gtest.h>

#include <caf/all.hpp>

#include "actorscope/agent.h"
#include "actorscope/caf/supervisor.hpp"
#include "fake_collector.hpp"
#include "test_support.hpp"

using namespace actorscope::caf;
using namespace actorscope::caf::testing;
using namespace std::chrono_literals;

namespace {
// The agent, started against `address` (which must outlive it) as node `node`.
int start_agent(const std::string& address, const char* node, uint32_t flush_ms) {
  actorscope_config cfg;
  actorscope_config_init(&cfg);
  cfg.collector = address.c_str();
  cfg.node = node;
  cfg.flush_ms = flush_ms;
  return actorscope_start(&cfg);
}
}  // namespace

TEST(RestartRecords, ReachTheCollectorWithChildIdOldAndNewActorAndReason) {
  actorscope::testing::FakeCollector collector(actorscope::testing::FakeCollector::Transport::Tcp);
  const std::string address = collector.address();
  ASSERT_EQ(start_agent(address, "caf-test", 20), 0);
  {
    journal j;  // outlives the actor system, whose actors write to it until they are gone
    ::caf::actor_system_config caf_cfg;
    ::caf::actor_system sys{caf_cfg};
    supervisor_flags f;
    f.kind = strategy::rest_for_one;
    f.intensity = 5;
    f.period = 10s;
    auto sup = spawn_supervisor(sys, "records_sup", f, {probe_spec(j, "w"), probe_spec(j, "after")});
    auto old_w = child_actor(sys, sup, "w");
    auto old_after = child_actor(sys, sup, "after");
    ASSERT_TRUE(old_w);
    ::caf::anon_send(old_w, crash_atom::value);
    ::caf::actor new_w, new_after;
    ASSERT_TRUE(eventually([&] {
      new_w = child_actor(sys, sup, "w");
      new_after = child_actor(sys, sup, "after");
      return new_w && new_after && new_w != old_w && new_after != old_after;
    }));
    ASSERT_TRUE(collector.wait_for([](const auto& seen) { return seen.restarts.size() >= 2; }));
    auto restarts = collector.seen().restarts;
    ASSERT_EQ(restarts.size(), 2u);
    EXPECT_EQ(restarts[0].restart.supervisor, sup.id());
    EXPECT_EQ(restarts[0].child_id, "w");
    EXPECT_EQ(restarts[0].restart.old_actor, old_w.id());
    EXPECT_EQ(restarts[0].restart.new_actor, new_w.id());
    EXPECT_EQ(restarts[0].restart.reason, actorscope::proto::ExitReason::Error);
    EXPECT_EQ(restarts[0].text, "boom");
    EXPECT_EQ(restarts[1].child_id, "after");
    EXPECT_EQ(restarts[1].restart.old_actor, old_after.id());
    EXPECT_EQ(restarts[1].restart.new_actor, new_after.id());
    EXPECT_EQ(restarts[1].restart.reason, actorscope::proto::ExitReason::Shutdown);

    ASSERT_TRUE(collector.wait_for([&](const auto& seen) { return seen.actors.count(new_after.id()) > 0; }));
    auto actors = collector.seen().actors;
    ASSERT_TRUE(actors.count(sup.id()));
    const auto& s = actors.at(sup.id());
    EXPECT_EQ(s.name, "records_sup");
    EXPECT_EQ(s.spawned.kind, actorscope::proto::ActorKind::Supervisor);
    EXPECT_EQ(s.spawned.strategy, actorscope::proto::Strategy::RestForOne);
    EXPECT_EQ(s.spawned.intensity, 5u);
    ASSERT_TRUE(actors.count(new_w.id()));
    const auto& w = actors.at(new_w.id());
    EXPECT_EQ(w.spawned.parent, sup.id());
    EXPECT_EQ(w.child_id, "w");
    EXPECT_EQ(w.type, "probe");
    EXPECT_EQ(w.spawned.kind, actorscope::proto::ActorKind::Worker);
    ::caf::anon_send_exit(sup, ::caf::exit_reason::user_shutdown);
  }
  actorscope_stop();
}

// A child's exit reaches the collector before its supervisor's answer to it (the restart, or
// the supervisor's own exit when its budget is spent), however late the child's other exit
// hooks run: the chain that explains an exit is read in that order. The child here has a
// slow hook attached after its spawn and before its supervisor's monitor, so the monitor
// fires 30 ms before CAF reaches the hook the adapter attached at spawn.
TEST(RestartRecords, AChildsExitArrivesBeforeItsSupervisorsRestartAndEscalation) {
  actorscope::testing::FakeCollector collector(actorscope::testing::FakeCollector::Transport::Tcp);
  const std::string address = collector.address();
  ASSERT_EQ(start_agent(address, "caf-order", 5), 0);
  {
    journal j;
    ::caf::actor_system_config caf_cfg;
    ::caf::actor_system sys{caf_cfg};
    child_spec slow = probe_spec(j, "w");
    slow.start = [start = slow.start](::caf::actor_system& s, const actor_info& info, const ::caf::message& args) {
      ::caf::actor a = start(s, info, args);
      if (a)
        ::caf::actor_cast<::caf::abstract_actor*>(a)->attach_functor(
            [] { std::this_thread::sleep_for(std::chrono::milliseconds(30)); });
      return a;
    };
    supervisor_flags f;
    f.kind = strategy::one_for_one;
    f.intensity = 1;  // the first crash restarts, the second escalates
    f.period = 60s;
    ::caf::scoped_actor self{sys};
    auto sup = spawn_supervisor(sys, "order_sup", f, {slow});
    self->monitor(sup);
    auto first = child_actor(sys, sup, "w");
    ASSERT_TRUE(first);
    ::caf::anon_send(first, crash_atom::value);
    ::caf::actor second;
    ASSERT_TRUE(eventually([&] {
      second = child_actor(sys, sup, "w");
      return second && second != first;
    }));
    ::caf::anon_send(second, crash_atom::value);
    self->receive([](::caf::down_msg&) {});  // the supervisor gave up
    ASSERT_TRUE(collector.wait_for([&](const auto& seen) {
      return seen.exits.count(sup.id()) && seen.exits.count(second.id()) && !seen.restarts.empty();
    }));
    auto seen = collector.seen();
    ASSERT_EQ(seen.restarts.size(), 1u);
    ASSERT_TRUE(seen.exits.count(first.id()));
    EXPECT_LT(seen.exits.at(first.id()).arrival, seen.restarts[0].arrival)
        << "the restart arrived before the exit it answers";
    EXPECT_LT(seen.exits.at(second.id()).arrival, seen.exits.at(sup.id()).arrival)
        << "the supervisor's escalation arrived before the crash that spent its budget";
    EXPECT_EQ(seen.exits.at(second.id()).exited.reason, actorscope::proto::ExitReason::Error);
  }
  actorscope_stop();
}
