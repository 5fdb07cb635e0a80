// loadgen against a real collector: the collector's model (read from /metrics) equals loadgen's own counts.
#include <gtest/gtest.h>
#include <signal.h>

#include "loopback.hpp"
#include "stack.hpp"

using namespace actorscope::testing;

namespace {

const std::string kLoadgen = ACTORSCOPE_LOADGEN_BIN;
const std::string kCollector = ACTORSCOPE_COLLECTOR_BIN;

void run_against(Collector& collector, const std::string& node) {
  Loadgen loadgen(kLoadgen, small_workload(collector.address(), node));
  auto counts = loadgen.counts();
  ASSERT_TRUE(counts) << loadgen.process().output();
  EXPECT_EQ((*counts)["messages_processed"], 20000);
  EXPECT_EQ(wait_for_model(collector, node, *counts), "") << loadgen.process().output()
                                                          << collector.process().output();
  loadgen.process().signal(SIGTERM);
  EXPECT_EQ(loadgen.process().wait_exit(30s), 0) << loadgen.process().output();
}

}  // namespace

TEST(LoadgenAgainstCollector, ModelMatchesOverTcp) {
  Collector collector(kCollector, {"tcp:127.0.0.1:0"});
  run_against(collector, "loadgen-tcp");
}

TEST(LoadgenAgainstCollector, ModelMatchesOverUnixSocket) {
  TempDir dir;
  Collector collector(kCollector, {"unix:" + dir.file("ingest.sock")});
  run_against(collector, "loadgen-unix");
}

TEST(LoadgenWithoutCollector, RunsUnaffectedAndCountsWhatItDropped) {
  // Nobody listens on this port: the agent never connects.
  std::string nowhere = "tcp:127.0.0.1:" + std::to_string(free_tcp_port());
  std::vector<std::string> args = {"--collector", nowhere, "--messages", "20000", "--crash-rate", "0.002",
                                   "--telemetry-rate", "0.02", "--threads", "2", "--seed", "11", "--flush-ms", "50"};
  Loadgen alone(kLoadgen, args);
  auto counts = alone.counts();
  ASSERT_TRUE(counts) << alone.process().output();
  EXPECT_EQ(alone.process().wait_exit(30s), 0) << alone.process().output();

  Loadgen reference(kLoadgen, args, {"ACTORSCOPE_DISABLE=1"});
  auto expected = reference.counts();
  ASSERT_TRUE(expected) << reference.process().output();
  for (const char* key : {"actors_alive", "supervisors", "workers", "restarts", "crashes", "messages_sent",
                          "messages_processed", "telemetry"})
    EXPECT_EQ((*counts)[key], (*expected)[key]) << key;

  // Never connected: every telemetry event and every restart and escalation record it
  // produced was dropped, and counted (escalations count as restart drops).
  auto& c = *counts;
  EXPECT_GT(c["telemetry"], 0);
  EXPECT_GT(c["restarts"], 0);
  EXPECT_EQ(c["dropped_telemetry"], c["telemetry"]) << alone.process().output();
  EXPECT_EQ(c["dropped_restart"], c["restarts"] + c["escalations"]) << alone.process().output();
  EXPECT_EQ(c["dropped"], c["dropped_restart"] + c["dropped_link"] + c["dropped_telemetry"] + c["dropped_stats"] +
                              c["dropped_string"] + c["dropped_other"]);
}
