// The numbers at their source, through the real agent and collector: records from many
// threads arrive in causal order, and what /metrics counts equals what loadgen did.
#include <gtest/gtest.h>
#include <signal.h>

#include "eventually.hpp"
#include "loopback.hpp"
#include "stack.hpp"

using namespace actorscope::testing;

namespace {

const std::string kLoadgen = ACTORSCOPE_LOADGEN_BIN;
const std::string kCollector = ACTORSCOPE_COLLECTOR_BIN;

double anomalies(const MetricsText& m, const std::string& kind) {
  return m.sum("actorscope_collector_model_anomalies_total", {{"kind", kind}}).value_or(-1);
}

}  // namespace

TEST(LoadgenTruth, EscalatingSupervisorsOnManyThreadsLeaveNoUnknownActor) {
  // Supervisors that give up at the second crash in a period, three levels deep, crashes on
  // two threads: a supervisor's restarts (its thread's ring) and its own exit (the lifecycle
  // list) are in the same flush. Applied out of order, every late restart record is an
  // unknown actor.
  Collector collector(kCollector, {"tcp:127.0.0.1:0"});
  Loadgen loadgen(kLoadgen, {"--collector", collector.address(), "--node", "escalating", "--actors", "300", "--depth",
                             "3", "--fanout", "3", "--strategies", "one_for_one,one_for_all,rest_for_one",
                             "--messages", "20000", "--rate", "10000", "--crash-rate", "0.01", "--intensity", "1", "--period-ms", "5000",
                             "--threads", "2", "--seed", "23", "--flush-ms", "50", "--stay", "0", "--wait-connected", "30"});
  auto counts = loadgen.counts();
  ASSERT_TRUE(counts) << loadgen.process().output();
  auto& c = *counts;
  ASSERT_GT(c["escalations"], 0) << "the workload must escalate to test anything";
  ASSERT_EQ(c["dropped_restart"], 0) << "a clean run: every restart and escalation record was sent";
  // Every restart and escalation loadgen made reaches the model.
  std::string last;
  bool all_there = eventually([&] {
    auto m = collector.scrape();
    if (!m) return false;
    double restarts = m->sum("actorscope_supervisor_restarts_total", {{"node", "escalating"}}).value_or(-1);
    double escalations = m->sum("actorscope_supervisor_escalations_total", {{"node", "escalating"}}).value_or(-1);
    last = "restarts " + std::to_string(restarts) + " escalations " + std::to_string(escalations);
    return restarts == c["restarts"] && escalations == c["escalations"];
  }, 30s);
  EXPECT_TRUE(all_there) << last << " expected restarts " << c["restarts"] << " escalations " << c["escalations"];
  auto m = collector.scrape();
  ASSERT_TRUE(m);
  EXPECT_EQ(anomalies(*m, "unknown_actor"), 0) << collector.process().output();
  EXPECT_EQ(anomalies(*m, "unknown_node"), 0) << "a clean connect is no anomaly";
  loadgen.process().signal(SIGTERM);
  EXPECT_EQ(loadgen.process().wait_exit(30s), 0) << loadgen.process().output();
}
