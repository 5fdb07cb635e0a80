// A real agent (the C++ API, in this process) against a collector that is killed and started
// again mid-run: /metrics resumes the program's own totals — spawns, exits by reason,
// restarts and escalations per supervisor, telemetry events — instead of counting from zero.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <memory>
#include <string>

#include "actorscope/agent.hpp"
#include "eventually.hpp"
#include "stack.hpp"

using namespace actorscope::testing;
using actorscope::Actor;
using actorscope::ExitReason;
using actorscope::SpawnInfo;

namespace {

// What the program did, counted by the program itself.
struct Truth {
  double spawned_workers = 0;
  std::map<std::string, double> worker_exits;    // by reason label
  std::map<std::string, double> restarts;        // by supervisor
  std::map<std::string, double> escalations;     // by supervisor
  double telemetry = 0;
};

// A supervisor whose children crash, exit or stop; it restarts the crashed ones.
void run_phase(Truth& t, const Actor& sup, const std::string& sup_name, int crashes, int normal, int shutdowns,
               int telemetry) {
  auto child = [&](const std::string& id) {
    ++t.spawned_workers;
    return Actor::spawn(SpawnInfo("worker").parent(sup.id()).child_id(id));
  };
  for (int i = 0; i < crashes; ++i) {
    Actor w = child("c" + std::to_string(i));
    uint64_t old_id = w.id();
    w.exit(ExitReason::Error, "boom");
    ++t.worker_exits["error"];
    Actor again = child("c" + std::to_string(i));
    sup.child_restarted(("c" + std::to_string(i)).c_str(), old_id, again.id(), ExitReason::Error, "boom");
    ++t.restarts[sup_name];
    again.exit(ExitReason::Shutdown);
    ++t.worker_exits["shutdown"];
  }
  for (int i = 0; i < normal; ++i) {
    child("n" + std::to_string(i)).exit(ExitReason::Normal);
    ++t.worker_exits["normal"];
  }
  for (int i = 0; i < shutdowns; ++i) {
    child("s" + std::to_string(i)).exit(ExitReason::Shutdown);
    ++t.worker_exits["shutdown"];
  }
  for (int i = 0; i < telemetry; ++i) {
    actorscope::telemetry::execute("app.request.stop", {{"duration", 1.0 + i}});
    ++t.telemetry;
  }
}

// "" when /metrics shows the truth for `node`, else what differs.
std::string compare(const Collector& c, const std::string& node, const Truth& t) {
  auto m = c.scrape();
  if (!m) return "no /metrics";
  auto value = [&](const std::string& name, std::map<std::string, std::string> labels) {
    labels["node"] = node;
    return m->sum(name, labels).value_or(0);
  };
  std::string diff;
  auto check = [&](const std::string& what, double seen, double want) {
    if (seen != want) diff += what + ": " + std::to_string(seen) + " (want " + std::to_string(want) + "); ";
  };
  check("spawns", value("actorscope_actor_spawns_total", {{"actor_type", "worker"}}), t.spawned_workers);
  double exits = 0;
  for (const auto& [reason, n] : t.worker_exits) {
    check("exits " + reason, value("actorscope_actor_exits_total", {{"actor_type", "worker"}, {"reason", reason}}), n);
    exits += n;
  }
  check("exits", value("actorscope_actor_exits_total", {{"actor_type", "worker"}}), exits);
  for (const auto& [sup, n] : t.restarts)
    check("restarts " + sup, value("actorscope_supervisor_restarts_total", {{"supervisor", sup}}), n);
  for (const auto& [sup, n] : t.escalations)
    check("escalations " + sup, value("actorscope_supervisor_escalations_total", {{"supervisor", sup}}), n);
  check("telemetry", value("actorscope_telemetry_events_total", {{"event", "app.request.stop"}}), t.telemetry);
  check("live workers", value("actorscope_actors", {{"actor_type", "worker"}}), 0);
  return diff;
}

}  // namespace

TEST(SnapshotTotals, ARestartedCollectorResumesTheProgramsTotals) {
  auto collector = std::make_unique<Collector>(ACTORSCOPE_COLLECTOR_BIN, std::vector<std::string>{"tcp:127.0.0.1:0"});
  const std::string address = collector->address();
  const std::string node = "snapshot-totals";
  actorscope::Config config;
  config.collector = address;
  config.node = node;
  config.flush_ms = 20;
  config.backoff_min_ms = 50;
  config.backoff_max_ms = 200;
  actorscope::Agent agent(config);
  ASSERT_TRUE(agent.ok());

  Truth t;
  Actor pool = Actor::spawn(SpawnInfo("supervisor").name("pool").supervisor(actorscope::Strategy::OneForOne, 1000, 1000));
  Actor cache = Actor::spawn(SpawnInfo("supervisor").name("cache").supervisor(actorscope::Strategy::OneForOne, 1000, 1000));
  ASSERT_TRUE(eventually([&] { return actorscope::Agent::stats().connected == 1; }));
  run_phase(t, pool, "pool", 12, 5, 3, 40);
  run_phase(t, cache, "cache", 4, 0, 2, 0);
  cache.escalated();
  ++t.escalations["cache"];
  std::string diff;
  ASSERT_TRUE(eventually([&] { return (diff = compare(*collector, node, t)).empty(); })) << diff;

  collector->process().signal(SIGKILL);
  ASSERT_EQ(collector->process().wait_exit(30s), 128 + SIGKILL);
  collector.reset();

  // While no collector listens: the agent keeps its totals, not the records.
  run_phase(t, pool, "pool", 7, 2, 1, 25);
  run_phase(t, cache, "cache", 3, 1, 0, 0);

  collector = std::make_unique<Collector>(ACTORSCOPE_COLLECTOR_BIN, std::vector<std::string>{address});
  EXPECT_TRUE(eventually([&] { return (diff = compare(*collector, node, t)).empty(); })) << diff;

  // And what happens after the snapshot counts on top.
  run_phase(t, pool, "pool", 5, 1, 1, 10);
  EXPECT_TRUE(eventually([&] { return (diff = compare(*collector, node, t)).empty(); })) << diff;
}
