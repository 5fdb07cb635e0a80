// The records a CAF app produces reach a collector: supervisors and workers with their
// place in the tree, and a child-restarted record (child id, old and new actor, reason).
#include <gtest/gtest.h>

#include <caf/all.hpp>

#include "actorscope/agent.h"
#include "actorscope/caf/supervisor.hpp"
#include "fake_collector.hpp"
#include "test_support.hpp"

using namespace actorscope::caf;
using namespace actorscope::caf::testing;
using namespace std::chrono_literals;

TEST(RestartRecords, ReachTheCollectorWithChildIdOldAndNewActorAndReason) {
  fake_collector collector;
  std::string address = collector.address();
  actorscope_config cfg;
  actorscope_config_init(&cfg);
  cfg.collector = address.c_str();
  cfg.node = "caf-test";
  cfg.flush_ms = 20;
  ASSERT_EQ(actorscope_start(&cfg), 0);
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
    ASSERT_TRUE(wait_until([&] {
      new_w = child_actor(sys, sup, "w");
      new_after = child_actor(sys, sup, "after");
      return new_w && new_after && new_w != old_w && new_after != old_after;
    }));
    ASSERT_TRUE(wait_until([&] { return collector.restarts().size() >= 2; }));
    auto restarts = collector.restarts();
    ASSERT_EQ(restarts.size(), 2u);
    EXPECT_EQ(restarts[0].supervisor, sup.id());
    EXPECT_EQ(restarts[0].child_id, "w");
    EXPECT_EQ(restarts[0].old_actor, old_w.id());
    EXPECT_EQ(restarts[0].new_actor, new_w.id());
    EXPECT_EQ(restarts[0].reason, actorscope::proto::ExitReason::Error);
    EXPECT_EQ(restarts[0].text, "boom");
    EXPECT_EQ(restarts[1].child_id, "after");
    EXPECT_EQ(restarts[1].old_actor, old_after.id());
    EXPECT_EQ(restarts[1].new_actor, new_after.id());
    EXPECT_EQ(restarts[1].reason, actorscope::proto::ExitReason::Shutdown);

    ASSERT_TRUE(wait_until([&] {
      for (auto& s : collector.spawns())
        if (s.actor == new_after.id()) return true;
      return false;
    }));
    bool saw_sup = false, saw_child = false;
    for (auto& s : collector.spawns()) {
      if (s.actor == sup.id()) {
        saw_sup = true;
        EXPECT_EQ(s.name, "records_sup");
        EXPECT_EQ(s.kind, actorscope::proto::ActorKind::Supervisor);
        EXPECT_EQ(s.strategy, actorscope::proto::Strategy::RestForOne);
        EXPECT_EQ(s.intensity, 5u);
      }
      if (s.actor == new_w.id()) {
        saw_child = true;
        EXPECT_EQ(s.parent, sup.id());
        EXPECT_EQ(s.child_id, "w");
        EXPECT_EQ(s.type, "probe");
        EXPECT_EQ(s.kind, actorscope::proto::ActorKind::Worker);
      }
    }
    EXPECT_TRUE(saw_sup);
    EXPECT_TRUE(saw_child);
    ::caf::anon_send_exit(sup, ::caf::exit_reason::user_shutdown);
  }
  actorscope_stop();
}
