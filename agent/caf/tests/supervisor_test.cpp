// OTP supervisor semantics of the CAF supervisors, run against CAF itself: strategies,
// restart types, intensity escalation, shutdown order and timeout, dynamic children.
#include <gtest/gtest.h>

#include <caf/all.hpp>

#include "actorscope/caf/commands.hpp"
#include "actorscope/caf/supervisor.hpp"
#include "actorscope/caf/totals.hpp"
#include "test_support.hpp"

using namespace actorscope::caf;
using namespace actorscope::caf::testing;
using namespace std::chrono_literals;

namespace {

class SupervisorTest : public ::testing::Test {
 protected:
  journal j;  // outlives the actor system, whose actors write to it until they are gone
  ::caf::actor_system_config cfg;
  ::caf::actor_system sys{cfg};

  ::caf::actor start(strategy s, std::vector<child_spec> children, uint32_t intensity = 10) {
    supervisor_flags f;
    f.kind = s;
    f.intensity = intensity;
    f.period = 5s;
    auto sup = spawn_supervisor(sys, "sup", f, std::move(children));
    return sup;
  }
  // Waits until every child named in ids runs as an actor different from before.
  bool all_replaced(const ::caf::actor& sup, const std::map<std::string, ::caf::actor>& before) {
    return eventually([&] {
      for (const auto& [id, old] : before) {
        auto now = child_actor(sys, sup, id);
        if (!now || now == old) return false;
      }
      return true;
    });
  }
  std::map<std::string, ::caf::actor> actors(const ::caf::actor& sup) {
    std::map<std::string, ::caf::actor> m;
    for (auto& c : which(sys, sup)) m[c.id] = c.actor;
    return m;
  }
  void stop(const ::caf::actor& sup) {
    ::caf::scoped_actor self{sys};
    self->monitor(sup);
    self->send_exit(sup, ::caf::exit_reason::user_shutdown);
    self->receive([](::caf::down_msg&) {});
  }
};

std::vector<std::string> abc_spec_ids(const std::vector<child_info>& v) {
  std::vector<std::string> out;
  for (auto& c : v) out.push_back(c.id);
  return out;
}

}  // namespace

TEST_F(SupervisorTest, StartsChildrenInOrder) {
  auto sup = start(strategy::one_for_one, {probe_spec(j, "a"), probe_spec(j, "b"), probe_spec(j, "c")});
  auto kids = which(sys, sup);
  EXPECT_EQ(abc_spec_ids(kids), (std::vector<std::string>{"a", "b", "c"}));
  for (auto& c : kids) EXPECT_TRUE(c.actor) << c.id;
  EXPECT_EQ(j.with_suffix(":start"), (std::vector<std::string>{"a", "b", "c"}));
  stop(sup);
}

TEST_F(SupervisorTest, OneForOneRestartsOnlyTheFailedChild) {
  auto sup = start(strategy::one_for_one, {probe_spec(j, "a"), probe_spec(j, "b"), probe_spec(j, "c")});
  auto before = actors(sup);
  ::caf::anon_send(before["b"], crash_atom::value);
  ASSERT_TRUE(all_replaced(sup, {{"b", before["b"]}}));
  auto after = actors(sup);
  EXPECT_EQ(after["a"], before["a"]);
  EXPECT_EQ(after["c"], before["c"]);
  EXPECT_EQ(j.with_suffix(":stop:error"), (std::vector<std::string>{"b"}));
  stop(sup);
}

TEST_F(SupervisorTest, OneForAllStopsOthersInReverseOrderAndRestartsAllInOrder) {
  auto sup = start(strategy::one_for_all, {probe_spec(j, "a"), probe_spec(j, "b"), probe_spec(j, "c")});
  auto before = actors(sup);
  j.clear();
  ::caf::anon_send(before["b"], crash_atom::value);
  ASSERT_TRUE(all_replaced(sup, before));
  EXPECT_EQ(j.with_suffix(":stop:error"), (std::vector<std::string>{"b"}));
  EXPECT_EQ(j.with_suffix(":stop:shutdown"), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(j.with_suffix(":start"), (std::vector<std::string>{"a", "b", "c"}));
  stop(sup);
}

TEST_F(SupervisorTest, RestForOneRestartsTheFailedChildAndThoseStartedAfterIt) {
  auto sup = start(strategy::rest_for_one,
                   {probe_spec(j, "a"), probe_spec(j, "b"), probe_spec(j, "c"), probe_spec(j, "d")});
  auto before = actors(sup);
  j.clear();
  ::caf::anon_send(before["b"], crash_atom::value);
  ASSERT_TRUE(all_replaced(sup, {{"b", before["b"]}, {"c", before["c"]}, {"d", before["d"]}}));
  EXPECT_EQ(actors(sup)["a"], before["a"]);
  EXPECT_EQ(j.with_suffix(":stop:shutdown"), (std::vector<std::string>{"d", "c"}));
  EXPECT_EQ(j.with_suffix(":start"), (std::vector<std::string>{"b", "c", "d"}));
  stop(sup);
}

TEST_F(SupervisorTest, PermanentChildIsRestartedAfterANormalExit) {
  auto sup = start(strategy::one_for_one, {probe_spec(j, "p", restart::permanent)});
  auto before = actors(sup);
  ::caf::anon_send(before["p"], finish_atom::value);
  ASSERT_TRUE(all_replaced(sup, before));
  stop(sup);
}

TEST_F(SupervisorTest, TransientChildIsRestartedOnlyAfterAnAbnormalExit) {
  auto sup = start(strategy::one_for_one, {probe_spec(j, "t", restart::transient), probe_spec(j, "x")});
  auto before = actors(sup);
  ::caf::anon_send(before["t"], crash_atom::value);
  ASSERT_TRUE(all_replaced(sup, {{"t", before["t"]}}));
  auto second = actors(sup)["t"];
  ::caf::anon_send(second, finish_atom::value);
  ASSERT_TRUE(eventually([&] { return j.with_suffix(":stop:normal").size() == 1; }));
  ASSERT_TRUE(eventually([&] {
    auto kids = which(sys, sup);
    return kids.size() == 2 && kids[0].id == "t" && !kids[0].actor;
  }));
  EXPECT_EQ(j.with_suffix(":start"), (std::vector<std::string>{"t", "x", "t"}));
  stop(sup);
}

TEST_F(SupervisorTest, TemporaryChildIsNeverRestartedNorBroughtBackBySiblings) {
  auto sup = start(strategy::one_for_all, {probe_spec(j, "tmp", restart::temporary), probe_spec(j, "w")});
  auto before = actors(sup);
  ::caf::anon_send(before["tmp"], crash_atom::value);
  ASSERT_TRUE(eventually([&] { return which(sys, sup).size() == 1; }));
  EXPECT_EQ(actors(sup)["w"], before["w"]);  // a temporary child's exit restarts nobody
  ::caf::anon_send(before["w"], crash_atom::value);
  ASSERT_TRUE(all_replaced(sup, {{"w", before["w"]}}));
  auto kids = which(sys, sup);
  ASSERT_EQ(kids.size(), 1u);
  EXPECT_EQ(kids[0].id, "w");
  EXPECT_EQ(j.with_suffix(":start"), (std::vector<std::string>{"tmp", "w", "w"}));
  stop(sup);
}

TEST_F(SupervisorTest, TemporaryChildStoppedForASiblingRestartIsNotBroughtBack) {
  auto sup = start(strategy::one_for_all, {probe_spec(j, "w"), probe_spec(j, "tmp", restart::temporary)});
  auto before = actors(sup);
  ::caf::anon_send(before["w"], crash_atom::value);
  ASSERT_TRUE(all_replaced(sup, {{"w", before["w"]}}));
  ASSERT_TRUE(eventually([&] { return which(sys, sup).size() == 1; }));
  EXPECT_EQ(j.with_suffix(":stop:shutdown"), (std::vector<std::string>{"tmp"}));
  stop(sup);
}

TEST_F(SupervisorTest, ExceedingIntensityEscalatesToTheParent) {
  supervisor_flags inner;
  inner.kind = strategy::one_for_one;
  inner.intensity = 2;
  inner.period = 60s;
  supervisor_flags outer;
  outer.intensity = 10;
  outer.period = 60s;
  auto top = spawn_supervisor(sys, "top", outer, {supervisor_spec("inner", inner, {probe_spec(j, "w")}), probe_spec(j, "peer")});
  auto inner_sup = child_actor(sys, top, "inner");
  auto peer = child_actor(sys, top, "peer");
  ASSERT_TRUE(inner_sup);
  ::caf::scoped_actor watcher{sys};
  watcher->monitor(inner_sup);
  // Two restarts are within the budget; the third failure exceeds it.
  for (int i = 0; i < 3; ++i) {
    // Wait for the (i+1)-th instance of w ("w" and "peer" started first).
    ASSERT_TRUE(eventually([&] {
      return child_actor(sys, inner_sup, "w") && j.with_suffix(":start").size() == static_cast<size_t>(2 + i);
    }));
    ::caf::anon_send(child_actor(sys, inner_sup, "w"), crash_atom::value);
  }
  ::caf::error reason;
  watcher->receive([&](::caf::down_msg& d) { reason = d.reason; });
  EXPECT_EQ(reason_class(reason), ACTORSCOPE_EXIT_SHUTDOWN);
  EXPECT_EQ(reason_text(reason), "reached_max_restart_intensity");
  // The parent saw a failure and restarted the child supervisor, with a fresh worker.
  ASSERT_TRUE(eventually([&] { auto now = child_actor(sys, top, "inner"); return now && now != inner_sup; }));
  auto again = child_actor(sys, top, "inner");
  ASSERT_TRUE(eventually([&] { return static_cast<bool>(child_actor(sys, again, "w")); }));
  EXPECT_EQ(child_actor(sys, top, "peer"), peer);
  stop(top);
}

TEST_F(SupervisorTest, ShutdownStopsChildrenInReverseStartOrder) {
  auto sup = start(strategy::one_for_one, {probe_spec(j, "a"), probe_spec(j, "b"), probe_spec(j, "c")});
  ::caf::scoped_actor self{sys};
  self->monitor(sup);
  self->send_exit(sup, ::caf::exit_reason::user_shutdown);
  ::caf::error reason;
  self->receive([&](::caf::down_msg& d) { reason = d.reason; });
  EXPECT_EQ(reason_class(reason), ACTORSCOPE_EXIT_SHUTDOWN);
  EXPECT_EQ(j.with_suffix(":stop:shutdown"), (std::vector<std::string>{"c", "b", "a"}));
}

TEST_F(SupervisorTest, ChildThatIgnoresShutdownIsKilledAfterItsTimeout) {
  auto stubborn = probe_spec(j, "s", restart::permanent, true);
  stubborn.shutdown = 50ms;
  auto sup = start(strategy::one_for_one, {probe_spec(j, "a"), stubborn});
  stop(sup);
  EXPECT_EQ(j.with_suffix(":stop:killed"), (std::vector<std::string>{"s"}));
  EXPECT_EQ(j.with_suffix(":stop:shutdown"), (std::vector<std::string>{"a"}));
}

TEST_F(SupervisorTest, DynamicSupervisorStartsRestartsAndTerminatesChildren) {
  auto sup = start(strategy::simple_one_for_one, {probe_spec(j, "session")});
  ::caf::scoped_actor self{sys};
  std::vector<::caf::actor> started;
  for (int i = 0; i < 3; ++i)
    self->request(sup, 30s, start_child_atom::value, ::caf::make_message())
        .receive([&](::caf::actor& a) { started.push_back(a); }, [](::caf::error&) {});
  ASSERT_EQ(started.size(), 3u);
  EXPECT_EQ(which(sys, sup).size(), 3u);
  bool terminated = false;
  self->request(sup, 30s, terminate_child_atom::value, started[0]).receive([&](bool ok) { terminated = ok; }, [](::caf::error&) {});
  EXPECT_TRUE(terminated);
  EXPECT_EQ(which(sys, sup).size(), 2u);
  ::caf::anon_send(started[1], crash_atom::value);
  ASSERT_TRUE(eventually([&] {
    auto kids = which(sys, sup);
    return kids.size() == 2 && kids[0].actor && kids[0].actor != started[1];
  }));
  stop(sup);
}

TEST_F(SupervisorTest, DynamicTransientChildIsForgottenAfterANormalExit) {
  auto sup = start(strategy::simple_one_for_one, {probe_spec(j, "session", restart::transient)});
  ::caf::scoped_actor self{sys};
  ::caf::actor a;
  self->request(sup, 30s, start_child_atom::value, ::caf::make_message()).receive([&](::caf::actor& x) { a = x; }, [](::caf::error&) {});
  ASSERT_TRUE(a);
  ::caf::anon_send(a, finish_atom::value);
  ASSERT_TRUE(eventually([&] { return which(sys, sup).empty(); }));
  stop(sup);
}

TEST_F(SupervisorTest, RestartsAreCountedPerSupervisor) {
  auto before = current_totals();
  auto count_of = [](const totals& t, const std::string& name) {
    for (auto& s : t.supervisors)
      if (s.name == name) return s.restarts;
    return uint64_t{0};
  };
  supervisor_flags f;
  f.kind = strategy::one_for_all;
  auto sup = spawn_supervisor(sys, "counted", f, {probe_spec(j, "a"), probe_spec(j, "b")});
  auto kids = actors(sup);
  ::caf::anon_send(kids["a"], crash_atom::value);
  ASSERT_TRUE(all_replaced(sup, kids));
  // one_for_all: both children were restarted, each one a child-restarted record.
  EXPECT_EQ(count_of(current_totals(), "counted") - count_of(before, "counted"), 2u);
  stop(sup);
}

TEST_F(SupervisorTest, KilledChildIsRestartedAndItsSupervisorSurvives) {
  auto sup = start(strategy::one_for_one, {probe_spec(j, "a"), probe_spec(j, "b")});
  auto before = actors(sup);
  ::caf::anon_send_exit(before["a"], ::caf::exit_reason::kill);
  ASSERT_TRUE(all_replaced(sup, {{"a", before["a"]}}));
  EXPECT_EQ(actors(sup)["b"], before["b"]);
  EXPECT_EQ(j.with_suffix(":stop:killed"), (std::vector<std::string>{"a"}));
  stop(sup);
}

TEST_F(SupervisorTest, KillCommandFindsTheActorByIdAndItsSupervisorRestartsIt) {
  auto sup = start(strategy::one_for_one, {probe_spec(j, "a"), probe_spec(j, "b")});
  auto before = actors(sup);
  uint64_t old_id = before["a"].id();
  EXPECT_EQ(detail::kill_actor(old_id, ACTORSCOPE_COMMAND_KILL, nullptr), ACTORSCOPE_COMMAND_DONE);
  ASSERT_TRUE(all_replaced(sup, {{"a", before["a"]}}));
  EXPECT_EQ(actors(sup)["b"], before["b"]);
  EXPECT_EQ(j.with_suffix(":stop:killed"), (std::vector<std::string>{"a"}));
  // The old incarnation is no longer known; neither is an id that never existed.
  EXPECT_TRUE(eventually([&] { return detail::kill_actor(old_id, ACTORSCOPE_COMMAND_KILL, nullptr) == ACTORSCOPE_COMMAND_NO_ACTOR; }));
  EXPECT_EQ(detail::kill_actor(~0ull >> 8, ACTORSCOPE_COMMAND_KILL, nullptr), ACTORSCOPE_COMMAND_NO_ACTOR);
  stop(sup);
}

TEST_F(SupervisorTest, KilledSupervisorTakesItsChildrenWithIt) {
  auto sup = start(strategy::one_for_one, {probe_spec(j, "a"), probe_spec(j, "b")});
  auto kids = actors(sup);
  ::caf::scoped_actor self{sys};
  self->monitor(kids["a"]);
  self->monitor(kids["b"]);
  ::caf::anon_send_exit(sup, ::caf::exit_reason::kill);
  int down = 0;
  self->receive_for(down, 2)([](::caf::down_msg&) {});
  // A down message may overtake the child's own exit functor: poll the journal.
  EXPECT_TRUE(eventually([&] { return j.with_suffix(":stop:killed").size() == 2u; }));
}
